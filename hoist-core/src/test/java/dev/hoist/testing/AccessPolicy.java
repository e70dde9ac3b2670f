package dev.hoist.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may do what, for {@link TokenIssuer}: turns requested scopes ({@code
 * repository:NAME:pull,push}) into the {@code access} claim. Thread-safe.
 */
final class AccessPolicy {
  private record User(String password, List<String> actions) {}

  /** Actions granted on one resource. */
  record Grant(String type, String name, List<String> actions) {
    /** The entry of the JWT {@code access} claim. */
    Map<String, Object> claim() {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("type", type);
      entry.put("name", name);
      entry.put("actions", actions);
      return entry;
    }

    /** As a scope string, {@code type:name:actions}. */
    String scope() {
      return type + ":" + name + ":" + String.join(",", actions);
    }
  }

  private final Map<String, User> users = new ConcurrentHashMap<>();
  private final Map<String, Boolean> publicRepositories = new ConcurrentHashMap<>();

  /** Adds a user who may do anything, or only {@code actions} if not empty. */
  void user(String name, String password, List<String> actions) {
    users.put(name, new User(password, List.copyOf(actions)));
  }

  void publicRepository(String name) {
    publicRepositories.put(name, true);
  }

  boolean authenticates(String user, String password) {
    User known = users.get(user);
    return known != null && known.password().equals(password);
  }

  /**
   * What is granted to {@code user} (null: anonymous) for {@code scopes}, each of which may hold
   * several space-separated scopes. Scopes with nothing granted are left out.
   */
  List<Grant> access(String user, List<String> scopes) {
    List<Grant> access = new ArrayList<>();
    for (String scope : split(scopes)) {
      // type:name:actions, where only the name may contain colons (a registry host:port).
      int first = scope.indexOf(':');
      int last = scope.lastIndexOf(':');
      if (first < 0 || first == last) {
        continue;
      }
      String type = scope.substring(0, first);
      String name = scope.substring(first + 1, last);
      List<String> actions = grant(user, type, name, scope.substring(last + 1).split(","));
      if (!actions.isEmpty()) {
        access.add(new Grant(type, name, actions));
      }
    }
    return access;
  }

  private List<String> grant(String user, String type, String name, String[] requested) {
    List<String> actions = new ArrayList<>();
    User known = user == null ? null : users.get(user);
    for (String action : requested) {
      boolean allowed =
          known != null
              ? known.actions().isEmpty() || known.actions().contains(action)
              : type.equals("repository")
                  && action.equals("pull")
                  && publicRepositories.containsKey(name);
      if (allowed && !action.isEmpty() && !actions.contains(action)) {
        actions.add(action);
      }
    }
    return actions;
  }

  private static List<String> split(List<String> scopes) {
    List<String> split = new ArrayList<>();
    for (String scope : scopes) {
      for (String s : scope.trim().split(" +")) {
        if (!s.isEmpty()) {
          split.add(s);
        }
      }
    }
    return split;
  }
}
