package io.strata.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Command-line words: positionals and {@code --name value} / {@code --flag} options. */
final class Args {
  private final List<String> positional = new ArrayList<>();
  private final Map<String, String> options = new HashMap<>();

  Args(String[] argv, int from) {
    for (int i = from; i < argv.length; i++) {
      String a = argv[i];
      if (a.startsWith("--")) {
        String name = a.substring(2);
        int eq = name.indexOf('=');
        if (eq >= 0) {
          options.put(name.substring(0, eq), name.substring(eq + 1));
        } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
          options.put(name, argv[++i]);
        } else {
          options.put(name, "true");
        }
      } else {
        positional.add(a);
      }
    }
  }

  String get(String name, String def) {
    return options.getOrDefault(name, def);
  }

  int getInt(String name, int def) {
    String v = options.get(name);
    try {
      return v == null ? def : Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " wants a number, not " + v);
    }
  }

  long getSize(String name, long def) {
    String v = options.get(name);
    return v == null ? def : Sizes.parse(v);
  }

  boolean has(String name) {
    return options.containsKey(name);
  }

  String pos(int i) {
    if (i >= positional.size()) {
      throw new IllegalArgumentException("missing argument " + (i + 1));
    }
    return positional.get(i);
  }

  int positionals() {
    return positional.size();
  }
}
