package io.strata.common;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * A process-wide registry of counters and gauges rendered in the Prometheus text format.
 * Small on purpose: the services need counters, gauges and per-label series, nothing more.
 */
public final class Metrics {
  private static final Metrics GLOBAL = new Metrics();

  private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
  private final Map<String, DoubleSupplier> gauges = new ConcurrentHashMap<>();
  private final Map<String, String> help = new ConcurrentHashMap<>();

  public static Metrics global() {
    return GLOBAL;
  }

  /** A counter; {@code series} is the metric name plus optional labels, e.g. {@code x_total{op="put"}}. */
  public LongAdder counter(String series, String helpText) {
    help.putIfAbsent(baseName(series), helpText);
    return counters.computeIfAbsent(series, k -> new LongAdder());
  }

  public void gauge(String series, String helpText, DoubleSupplier value) {
    help.putIfAbsent(baseName(series), helpText);
    gauges.put(series, value);
  }

  public void removeGauge(String series) {
    gauges.remove(series);
  }

  public String renderPrometheus() {
    Map<String, StringBuilder> byName = new TreeMap<>();
    Map<String, String> types = new TreeMap<>();
    counters.forEach((series, v) -> {
      types.put(baseName(series), "counter");
      byName.computeIfAbsent(baseName(series), k -> new StringBuilder())
          .append(series).append(' ').append(v.sum()).append('\n');
    });
    gauges.forEach((series, v) -> {
      types.putIfAbsent(baseName(series), "gauge");
      double d;
      try {
        d = v.getAsDouble();
      } catch (RuntimeException e) {
        d = Double.NaN;
      }
      byName.computeIfAbsent(baseName(series), k -> new StringBuilder())
          .append(series).append(' ').append(d).append('\n');
    });
    StringBuilder out = new StringBuilder();
    byName.forEach((name, lines) -> {
      out.append("# HELP ").append(name).append(' ').append(help.getOrDefault(name, name)).append('\n');
      out.append("# TYPE ").append(name).append(' ').append(types.get(name)).append('\n');
      out.append(lines);
    });
    return out.toString();
  }

  private static String baseName(String series) {
    int brace = series.indexOf('{');
    return brace < 0 ? series : series.substring(0, brace);
  }
}
