package io.strata.s3.store;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes the gateway may hold beyond each request's own first chunk, shared by all uploads
 * (extra chunk writes in flight) and downloads (chunks read ahead). Requests that find it spent
 * just pipeline less; none waits for it, so it bounds memory without any risk of deadlock.
 */
public final class BufferBudget {
  private final AtomicLong available;

  public BufferBudget(long bytes) {
    this.available = new AtomicLong(bytes);
  }

  public boolean tryAcquire(long n) {
    while (true) {
      long a = available.get();
      if (a < n) {
        return false;
      }
      if (available.compareAndSet(a, a - n)) {
        return true;
      }
    }
  }

  public void release(long n) {
    available.addAndGet(n);
  }

  public long available() {
    return available.get();
  }
}
