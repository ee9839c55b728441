package io.strata.client;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.util.concurrent.CompletableFuture;

/** Bridges gRPC's ListenableFuture to CompletableFuture. */
public final class Futures {
  private Futures() {}

  public static <T> CompletableFuture<T> of(ListenableFuture<T> lf) {
    CompletableFuture<T> cf = new CompletableFuture<>();
    com.google.common.util.concurrent.Futures.addCallback(lf, new FutureCallback<>() {
      @Override
      public void onSuccess(T result) {
        cf.complete(result);
      }

      @Override
      public void onFailure(Throwable t) {
        cf.completeExceptionally(t);
      }
    }, MoreExecutors.directExecutor());
    return cf;
  }

  /** Completes with every element's value, in order, once all are done. */
  public static <T> CompletableFuture<java.util.List<T>> allInOrder(java.util.List<CompletableFuture<T>> all) {
    return CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).thenApply(v -> {
      java.util.List<T> out = new java.util.ArrayList<>(all.size());
      all.forEach(f -> out.add(f.join()));
      return out;
    });
  }
}
