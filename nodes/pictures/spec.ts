import type { LinkVisualClient } from '../../lib';
import { isPlainObject } from '../../lib/util/plain-object';
import { asLinkVisualError, messageError } from '../shared/node-error';
import type { ActionContext, ActionResult, NodeAction, OperationNodeSpec } from '../shared/operation-node';
import { countOf, fixedStatus } from '../shared/summaries';

const DEFAULT_MAX_IMAGES = 20;
/** The most images one message may carry (each a Buffer held in memory until the flow lets go of it). */
const MAX_MAX_IMAGES = 1000;

function wantsImages(context: ActionContext): boolean {
  if (context.useMsg && typeof context.msg.fetchImages === 'boolean') return context.msg.fetchImages;
  const flag = context.settings.fetchImages;
  return flag === true || flag === 'true';
}

/** Adds `image` (Buffer) and `contentType` to each picture; a picture that fails gets `imageError` instead. */
async function attachImages(client: LinkVisualClient, pictures: unknown[], context: ActionContext): Promise<unknown[]> {
  const limit = Number(context.rangedSettings.maxImages);
  const useThumbnail = Number(context.params.type) === 2;
  const result: unknown[] = [];
  for (const [index, picture] of pictures.entries()) {
    if (!isPlainObject(picture) || index >= limit) {
      result.push(picture);
      continue;
    }
    const url = [useThumbnail ? picture.thumbUrl : undefined, picture.pictureUrl, picture.picUrl, picture.thumbUrl].find((u) => typeof u === 'string' && u !== '') as string | undefined;
    if (!url) {
      result.push(picture);
      continue;
    }
    context.progress(`image ${index + 1}/${Math.min(limit, pictures.length)}`);
    try {
      const media = await client.fetchMedia(url, { signal: context.signal, accept: ['image/'] });
      result.push({ ...picture, image: media.buffer, contentType: media.contentType });
    } catch (error) {
      const failure = asLinkVisualError(error);
      if (failure.code === 'ABORTED' || failure.code === 'CLOSED') throw failure;
      result.push({ ...picture, imageError: messageError(failure) });
    }
  }
  return result;
}

function pictureList(data: unknown): unknown[] {
  if (Array.isArray(data)) return data;
  return isPlainObject(data) && Array.isArray(data.pictureList) ? data.pictureList : [];
}

function listing(key: string, operation: string, allPages: boolean): NodeAction {
  return {
    key,
    operation,
    allPages,
    async run(context): Promise<ActionResult> {
      const data = allPages && !context.onePage ? await context.collect(operation, context.params) : await context.call(operation, context.params);
      const pictures = pictureList(data);
      const withImages = wantsImages(context) ? await attachImages(context.client, pictures, context) : pictures;
      return { payload: withImages, status: countOf('picture')(withImages) };
    },
  };
}

/** `link-visual-pictures`: pictures by time, ids or event, batch delete; optionally with the images as Buffers. */
export const nodeSpec: OperationNodeSpec = {
  type: 'link-visual-pictures',
  actions: [
    listing('byTime', 'queryPicturesByTime', true),
    listing('byIds', 'queryPicturesByIds', false),
    listing('byEvent', 'getPicturesByEvent', false),
    { key: 'delete', operation: 'deletePictures', summary: fixedStatus('deleted') },
  ],
  editor: {
    defaultOperation: 'byTime',
    operationField: 'select',
    label: 'operation',
    // Images can be fetched for the listings only (not for delete).
    settings: [
      { property: 'fetchImages', value: false, icon: 'fa-download', input: { kind: 'checkbox', heading: 'images' }, actions: ['byTime', 'byIds', 'byEvent'] },
      {
        property: 'maxImages',
        value: DEFAULT_MAX_IMAGES,
        range: { integer: true, min: 1, max: MAX_MAX_IMAGES },
        icon: 'fa-picture-o',
        input: { kind: 'number', unit: 'images' },
        actions: ['byTime', 'byIds', 'byEvent'],
        shownWith: 'fetchImages',
      },
    ],
  },
};
