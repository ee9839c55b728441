package io.strata.s3.http;

import io.strata.s3.auth.RequestAuthenticator;
import java.util.concurrent.ExecutorService;

/** What every connection shares: parsing, authentication, routing and the worker pool. */
public record GatewayServices(RequestParser parser, RequestAuthenticator authenticator, Router router,
                              ExecutorService workers) {}
