/**
 * What each error code means, in the two languages of the help: the one table the help pages'
 * error lists are generated from (scripts/generate-help.js). `LinkVisualErrorCode` (./errors) stays
 * the source: the `satisfies` below makes the build fail when a code of the union has no entry here
 * or an entry names a code the union has not. Text between backticks is shown as code.
 */
import type { LinkVisualErrorCode } from './errors';

/** The meaning of one code: `en` for the en-US help, `zh` for the zh-CN help. */
export interface ErrorCodeText {
  readonly en: string;
  readonly zh: string;
}

const MEANINGS = {
  INVALID_PARAMS: {
    en: 'The input was refused before anything was sent; `problems` lists every problem by parameter path.',
    zh: '输入被拒绝，未发送任何请求；`problems` 按参数路径列出每一个问题。',
  },
  INVALID_RESPONSE: {
    en: "The cloud's answer cannot be used: not JSON, or a field the call needs is missing.",
    zh: '云端的应答无法使用：不是 JSON，或缺少该调用需要的字段。',
  },
  UNKNOWN_OPERATION: {
    en: 'The operation is neither a catalog name nor a well-formed API path.',
    zh: '操作既不是目录中的操作名，也不是格式正确的 API 路径。',
  },
  AUTH_FAILED: {
    en: 'The cloud refused the credentials or the session, even after renewing the token once; `reason` says when a new auth code is needed.',
    zh: '云端拒绝了凭据或会话（令牌续期一次后仍被拒绝）；需要新的授权码时由 `reason` 说明原因。',
  },
  THROTTLED: {
    en: 'Too many requests: the gateway or the API throttled the account. Retryable after the wait it asks for.',
    zh: '请求过多：网关或 API 对账号限流。等待其要求的时间后可重试。',
  },
  TIMEOUT: {
    en: 'No answer in the time allowed, or a transfer stalled.',
    zh: '未在允许的时间内得到应答，或传输停滞。',
  },
  ABORTED: {
    en: 'Cancelled: the node was closed or redeployed, or the work was no longer wanted.',
    zh: '已取消：节点被关闭或重新部署，或该工作已不再需要。',
  },
  NETWORK: {
    en: 'The connection failed (refused, reset, DNS, TLS). Retryable unless the certificate was refused.',
    zh: '连接失败（被拒绝、被重置、DNS、TLS）。除非证书被拒绝，否则可重试。',
  },
  GATEWAY: {
    en: 'The API gateway answered with an HTTP error, e.g. for an unknown path or a wrong API version; see `httpStatus`.',
    zh: 'API 网关返回 HTTP 错误，例如路径不存在或 API 版本错误；见 `httpStatus`。',
  },
  DEVICE: {
    en: 'The camera is offline or waking up; try again later.',
    zh: '摄像头离线或正在唤醒；请稍后重试。',
  },
  API_ERROR: {
    en: "The API refused the request; `apiCode` is the cloud's own code (e.g. an unknown ID, no cloud storage).",
    zh: 'API 拒绝了请求；`apiCode` 是云端自己的错误码（例如 ID 不存在、未开通云存储）。',
  },
  CONFIG: {
    en: 'The account is missing or incomplete, or a setting cannot be used (e.g. a directory that cannot be written).',
    zh: '未配置账号或账号设置不完整，或某项设置无法使用（例如目录不可写）。',
  },
  CLOSED: {
    en: "The account's client or the event poller was closed (redeploy or shutdown) while the work waited.",
    zh: '工作等待期间，账号的客户端或事件轮询器已关闭（重新部署或停止）。',
  },
  URL_EXPIRED: {
    en: 'A signed media URL was refused: it has expired or is not valid. A new URL is needed.',
    zh: '签名的媒体地址被拒绝：已过期或无效，需要重新获取地址。',
  },
  TOO_LARGE: {
    en: 'The media is larger than the size allowed.',
    zh: '媒体超过允许的大小。',
  },
  NOT_READY: {
    en: 'Not there yet in the time allowed: a picture not uploaded, a recording not ended or not transcoded. Often retryable.',
    zh: '在允许的时间内尚未就绪：图片尚未上传，录像尚未结束或尚未转码。通常可重试。',
  },
  MEDIA: {
    en: 'The media is not what was expected: not an image or a video, an incomplete MP4, a failed transcode, or a file that cannot be stored.',
    zh: '媒体不符合预期：不是图片或视频、MP4 不完整、转码失败，或文件无法保存。',
  },
} as const satisfies Readonly<Record<LinkVisualErrorCode, ErrorCodeText>>;

/** Every error code with its meaning, in the order of `LinkVisualErrorCode`. */
export const ERROR_CODES: readonly (ErrorCodeText & { readonly code: LinkVisualErrorCode })[] = (
  Object.keys(MEANINGS) as LinkVisualErrorCode[]
).map((code) => ({ code, ...MEANINGS[code] }));
