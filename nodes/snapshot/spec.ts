import { fileNamePart } from '../../lib/media/path-template';
import { takeSnapshot } from '../../lib/media/snapshot';
import type { OperationNodeSpec } from '../shared/operation-node';

/** How long to wait for the picture, in seconds, unless the node's `timeout` says otherwise. */
const DEFAULT_TIMEOUT_S = 20;
/** The longest wait a node may ask for: a camera that has not uploaded in ten minutes will not. */
const MAX_TIMEOUT_S = 600;

/** `link-visual-snapshot`: trigger a picture, wait until it exists, and output the JPEG as a Buffer. */
export const nodeSpec: OperationNodeSpec = {
  type: 'link-visual-snapshot',
  actions: [
    {
      key: 'snapshot',
      operation: 'triggerPicture',
      // A string msg.apiVer is for triggerPicture; an object can give queryPicturesByIds its own.
      async run(context) {
        context.check('triggerPicture', context.params);
        const iotId = context.params.iotId as string;
        const snapshot = await takeSnapshot(context.client, iotId, {
          signal: context.signal,
          timeoutMs: Number(context.rangedSettings.timeout) * 1000,
          onProgress: (text) => context.progress(text),
          apiVersions: context.apiVersions,
        });
        return {
          payload: snapshot.image,
          status: `${Math.round(snapshot.image.length / 1024)} kB`,
          extra: {
            contentType: snapshot.contentType,
            filename: `${fileNamePart(iotId)}-${fileNamePart(snapshot.pictureId)}.jpg`, // picture ids are base64, with '/'
            picture: snapshot.picture,
            expiresAt: snapshot.expiresAt,
          },
          apiVer: context.apiVersion('triggerPicture') ?? context.client.resolve('triggerPicture').apiVer,
        };
      },
    },
  ],
  editor: {
    defaultOperation: 'snapshot',
    operationField: 'hidden',
    label: 'palette',
    settings: [
      { property: 'timeout', value: DEFAULT_TIMEOUT_S, range: { above: 0, max: MAX_TIMEOUT_S }, icon: 'fa-clock-o', input: { kind: 'number', unit: 'seconds' } },
    ],
  },
};
