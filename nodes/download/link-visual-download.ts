import { LinkVisualError } from '../../lib/gateway/errors';
import { isPlainObject } from '../../lib/util/plain-object';
import { abortError } from '../../lib/util/abort';
import { formatBytes } from '../../lib/media/bytes';
import { downloadRecording, type DownloadProgress, type DownloadResult } from '../../lib/media/download';
import { readRecordingRequest, type RecordingRequest } from '../../lib/media/recording-request';
import type { AccountStatus, ConfigNode } from '../config/account';
import { asLinkVisualError, messageError, nodeError, sessionStatusText } from '../shared/node-error';
import type { DoneFunction, Node, NodeAPI, NodeDef, NodeMessage, SendFunction } from '../shared/red';
import { JobQueue } from './job-queue';
import { progressText } from './progress-text';
import { readDownloadSettings, type DownloadSettings } from './settings';

interface DownloadNode extends Node {
  onAccountStatus?: (status: AccountStatus) => void;
}

/** What the optional second output carries, one message per step of a job. */
type ProgressPhase = 'queued' | 'started' | DownloadProgress['phase'] | 'done' | 'failed';

// Status and progress messages are rate-limited; a change of phase always shows at once.
const STATUS_MS = 500;
const PROGRESS_MESSAGE_MS = 1000;

/** One recording of an input message, as a job. */
interface Job {
  readonly msg: NodeMessage;
  readonly request: RecordingRequest;
  readonly index: number;
  readonly count: number;
  /** The payload was one recording, not a list: the job answers with the message itself. */
  readonly single: boolean;
}

/** A copy of a message for one item of its array payload (the rest of the array is not copied). */
function itemMessage(RED: NodeAPI, msg: NodeMessage, payload: unknown): NodeMessage {
  const copy: NodeMessage = RED.util.cloneMessage<NodeMessage>({ ...msg, payload: undefined });
  copy.payload = payload;
  return copy;
}

/** The message for a finished job: the file path or the Buffer, with what is known about it. */
function outputMessage(job: Job, result: DownloadResult, RED: NodeAPI): NodeMessage {
  const base = job.single ? job.msg : itemMessage(RED, job.msg, undefined);
  const linkVisual = {
    operation: 'download',
    iotId: result.iotId,
    fileName: result.fileName,
    ...(result.eventId === undefined ? {} : { eventId: result.eventId }),
    durationMs: result.elapsedMs,
    waitMs: result.waitMs,
    ...(result.transfer ?? {}),
    ...(job.single ? {} : { index: job.index, count: job.count }),
  };
  if (result.kind === 'buffer') {
    return Object.assign(base, { payload: result.buffer, contentType: 'video/mp4', filename: result.filename, linkVisual });
  }
  const file = { path: result.path, size: result.size, contentType: result.contentType, durationMs: result.durationMs ?? null, skipped: result.skipped };
  return Object.assign(base, { payload: result.path, file, linkVisual });
}

/** Registers `link-visual-download`: cloud recordings to files or Buffers, as jobs that cannot half-fail. */
export = function register(RED: NodeAPI): void {
  function LinkVisualDownloadNode(this: DownloadNode, def: NodeDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    node.name = def.name;
    const account = typeof def.account === 'string' ? (RED.nodes.getNode(def.account) as ConfigNode | null) : null;
    const workingDirectory = typeof RED.settings.fileWorkingDirectory === 'string' ? RED.settings.fileWorkingDirectory : process.cwd();
    let settings: DownloadSettings | undefined;
    let settingsError: LinkVisualError | undefined;
    try {
      settings = readDownloadSettings(def, workingDirectory);
    } catch (error) {
      settingsError = asLinkVisualError(error);
    }
    const queue = new JobQueue(settings?.concurrency ?? 1);
    const controllers = new Set<AbortController>();
    const running = new Set<Promise<unknown>>();
    let closing = false;
    let lastStatus = 0;

    const setStatus = (fill: 'red' | 'green' | 'yellow' | 'blue' | 'grey', shape: 'dot' | 'ring', text: string) => {
      lastStatus = Date.now();
      node.status({ fill, shape, text });
    };
    if (!account) setStatus('red', 'ring', 'no account');
    else if (account.account.configError) setStatus('red', 'ring', 'account settings incomplete');
    else if (settingsError) setStatus('red', 'ring', 'invalid settings');
    else node.status({});

    node.onAccountStatus = (status) => {
      if (status.state === 'backoff') setStatus('yellow', 'ring', `${status.reason} backing off ${Math.max(1, Math.round(status.ms / 1000))} s`);
      const ended = status.state === 'error' ? sessionStatusText(status.reason) : undefined;
      if (ended) setStatus('red', 'ring', ended);
    };
    account?.account.register(node);

    const busyText = (text: string) => {
      const others = queue.running - 1 + queue.queued;
      return others > 0 ? `${text} (+${others})` : text;
    };

    function progressMessage(job: Job, phase: ProgressPhase, details: Record<string, unknown> = {}): NodeMessage {
      return {
        _msgid: job.msg._msgid,
        topic: 'progress',
        payload: {
          phase,
          iotId: job.request.iotId,
          ...(job.request.fileName === undefined ? {} : { fileName: job.request.fileName }),
          ...(job.request.eventId === undefined ? {} : { eventId: job.request.eventId }),
          ...(job.single ? {} : { index: job.index, count: job.count }),
          ...details,
        },
      };
    }

    /** Downloads one job's recording with progress on the second output; runs inside the job's slot. */
    async function download(job: Job, signal: AbortSignal, send: SendFunction): Promise<DownloadResult> {
      let lastPhase: ProgressPhase = 'started';
      let lastMessage = 0;
      const onProgress = (progress: DownloadProgress) => {
        const now = Date.now();
        const changed = progress.phase !== lastPhase;
        if (changed || now - lastStatus >= STATUS_MS) setStatus('blue', 'dot', busyText(progressText(progress)));
        if (changed || now - lastMessage >= PROGRESS_MESSAGE_MS) {
          lastMessage = now;
          const { phase, ...details } = progress;
          send([null, progressMessage(job, phase, details)]);
        }
        lastPhase = progress.phase;
      };
      if (signal.aborted) throw abortError(signal);
      if (!account) throw new LinkVisualError('CONFIG', 'no Link Visual account is configured on this node');
      if (!settings) throw settingsError ?? new LinkVisualError('CONFIG', 'invalid settings');
      const client = await account.account.getClient();
      return downloadRecording(client, job.request, settings.target, {
        signal,
        transcodeTimeoutMs: settings.transcodeTimeoutMs,
        stallTimeoutMs: settings.stallTimeoutMs,
        retries: settings.retries,
        onProgress,
      });
    }

    /** Runs one job to its end: an output message or a reported error; true when it succeeded. Never rejects. */
    async function settle(job: Job, item: unknown, send: SendFunction, report: (error: LinkVisualError, msg: NodeMessage) => void): Promise<boolean> {
      const fail = (thrown: unknown): boolean => {
        const error = asLinkVisualError(thrown);
        if (closing && (error.code === 'CLOSED' || error.code === 'ABORTED')) return false; // a redeploy cancelled it: nothing to report
        try {
          setStatus('red', 'ring', sessionStatusText(error.reason) ?? (error.code === 'INVALID_PARAMS' ? 'invalid input' : error.code));
          send([null, progressMessage(job, 'failed', { code: error.code, message: error.message })]);
          const msg = job.single ? job.msg : itemMessage(RED, job.msg, item);
          msg.error = messageError(error);
          report(error, msg);
        } catch (reporting) {
          node.error(nodeError(asLinkVisualError(reporting))); // the failure could not be reported with its message
        }
        return false;
      };
      const controller = new AbortController();
      controllers.add(controller);
      try {
        send([null, progressMessage(job, 'queued')]);
        let release: () => void = () => undefined;
        try {
          release = await queue.acquire();
        } catch (thrown) {
          return fail(thrown); // it never got a slot: the node closed while it waited
        }
        // A job keeps its slot until its outcome is sent, so progress never shows more than `concurrency` at work.
        try {
          send([null, progressMessage(job, 'started')]);
          const result = await download(job, controller.signal, send);
          const output = outputMessage(job, result, RED); // built first: a message that cannot be made is a failure, not a second outcome
          if (result.kind === 'file' && result.skipped) setStatus('green', 'dot', busyText(`exists, kept ${formatBytes(result.size)}`));
          else setStatus('green', 'dot', busyText(`${formatBytes(result.size)} in ${(result.elapsedMs / 1000).toFixed(1)} s`));
          send([null, progressMessage(job, 'done', { size: result.size, ...(result.kind === 'file' ? { path: result.path, skipped: result.skipped } : {}) })]);
          send([output, null]);
          return true;
        } catch (thrown) {
          return fail(thrown);
        } finally {
          release();
        }
      } catch (thrown) {
        return fail(thrown);
      } finally {
        controllers.delete(controller);
      }
    }

    node.on('input', (msg: NodeMessage, send: SendFunction, done: DoneFunction) => {
      // A record/query page ({recordFileList, nextValid…}) counts as its list.
      const list = isPlainObject(msg.payload) && Array.isArray(msg.payload.recordFileList) ? msg.payload.recordFileList : msg.payload;
      const items: unknown[] = Array.isArray(list) ? list : [list];
      const single = !Array.isArray(list);
      if (items.length === 0) {
        setStatus('grey', 'ring', 'nothing to download');
        done();
        return;
      }
      const work = (async () => {
        let failed: { error: LinkVisualError; msg: NodeMessage } | undefined;
        const jobs: Promise<boolean>[] = [];
        for (const [index, item] of items.entries()) {
          const report = (error: LinkVisualError, errorMsg: NodeMessage) => {
            // One message: its done(err). Several: each failed item goes to Catch nodes on its own.
            if (single) failed = { error, msg: errorMsg };
            else node.error(nodeError(error), errorMsg);
          };
          let request: RecordingRequest;
          try {
            request = readRecordingRequest(item, msg.iotId, single ? 'payload' : `payload[${index}]`);
          } catch (thrown) {
            const error = asLinkVisualError(thrown);
            const errorMsg = single ? msg : itemMessage(RED, msg, item);
            errorMsg.error = messageError(error);
            setStatus('red', 'ring', 'invalid input');
            report(error, errorMsg);
            continue;
          }
          jobs.push(settle({ msg, request, index, count: items.length, single }, item, send, report));
        }
        const outcomes = await Promise.all(jobs);
        if (!single && !closing) {
          const saved = outcomes.filter(Boolean).length;
          const failures = items.length - saved;
          if (queue.running + queue.queued === 0) setStatus(failures > 0 ? 'yellow' : 'green', 'dot', `${saved} of ${items.length} done${failures > 0 ? `, ${failures} failed` : ''}`);
        }
        if (failed) done(nodeError(failed.error));
        else done();
      })().catch((error: unknown) => done(nodeError(asLinkVisualError(error)))); // nothing may escape as an unhandled rejection
      running.add(work);
      void work.finally(() => running.delete(work));
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      closing = true;
      const reason = new LinkVisualError('ABORTED', 'the node was closed');
      queue.clear(reason);
      for (const controller of controllers) controller.abort(reason);
      account?.account.deregister(node);
      // Wait for the jobs to remove their .part files and release their sockets before saying closed.
      void Promise.allSettled([...running]).then(() => done());
    });
  }

  RED.nodes.registerType<DownloadNode, NodeDef>('link-visual-download', LinkVisualDownloadNode);
};
