package io.strata.s3.http;

import io.strata.s3.auth.Authenticated;

/** Picks the operation for an authenticated request; may block (it runs on the worker pool). */
public interface Router {
  Operation route(S3Request request, Authenticated who);
}
