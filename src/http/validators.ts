/** What a conditional request sends back: the last answer's ETag and Last-Modified. */
export interface Validators {
  readonly etag?: string;
  readonly lastModified?: string;
}
