// Types for the parts of Alibaba's official `aliyun-api-gateway` SDK the conformance tests use.
declare module 'aliyun-api-gateway' {
  export interface RequestOptions {
    data?: unknown;
    headers?: Record<string, string | number>;
    signHeaders?: Record<string, string>;
    query?: Record<string, string>;
    timeout?: number;
  }

  /** Signs with the AppKey/AppSecret (HmacSHA256) and posts; rejects non-2xx with `code` and `data.headers`. */
  export class Client {
    constructor(appKey: string, appSecret: string, stage?: string);
    post(url: string, options?: RequestOptions): Promise<unknown>;
  }
}
