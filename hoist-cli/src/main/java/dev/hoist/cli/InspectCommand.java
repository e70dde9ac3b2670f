package dev.hoist.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.hoist.Hoist;
import dev.hoist.catalog.NoSuchImageException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hoist inspect IMAGE...}: docker's image inspect document. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Show an image's details as JSON.",
      "Fields are named as docker image inspect names them: Id, RepoTags, RepoDigests,",
      "Created, Config, Architecture, Os, Size, RootFS, Descriptor."
    },
    footer = {
      "",
      "Examples:",
      "  hoist inspect debian:bookworm",
      "  hoist inspect --format '{{.Id}}' debian:bookworm",
      "  hoist inspect --format '{{json .Config.Env}}' debian:bookworm",
      "  hoist inspect -f .RootFS.Layers 3f4d90098f5b   (by image ID prefix)"
    })
final class InspectCommand implements Callable<Integer> {
  // {{.A.B}}, {{json .A.B}} or a bare .A.B: a field path, not Go's whole template language.
  private static final Pattern FORMAT =
      Pattern.compile("\\s*(?:\\{\\{\\s*(json\\s+)?(\\.[^}]*?)\\s*\\}\\}|(\\.\\S*))\\s*");

  @Spec CommandSpec spec;

  @Mixin GlobalOptions global;

  @Option(names = {"-f", "--format"}, paramLabel = "FIELD",
      description = "Print one field: '{{.Field.Sub}}', '{{json .Field}}' or .Field.Sub.")
  String format;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Name, name@digest or image ID.")
  List<String> images;

  @Override
  public Integer call() throws Exception {
    Matcher field = null;
    if (format != null) {
      field = FORMAT.matcher(format);
      if (!field.matches()) {
        throw new IllegalArgumentException(
            "unsupported --format " + format + ": use '{{.Field.Sub}}', '{{json .Field}}' or .Field.Sub");
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ArrayNode documents = json.createArrayNode();
    int exit = 0;
    try (Hoist hoist = global.hoist().build()) {
      for (String image : images) {
        try {
          documents.add(hoist.images().inspect(image));
        } catch (NoSuchImageException e) {
          err.println("Error: " + e.getMessage());
          exit = Errors.FAILED;
        }
      }
    }
    if (field == null) {
      out.println(json.writeValueAsString(documents));
    } else {
      boolean asJson = field.group(1) != null;
      String path = field.group(2) != null ? field.group(2) : field.group(3);
      for (JsonNode document : documents) {
        JsonNode value = select(document, path);
        out.println(asJson || value.isContainerNode()
            ? new ObjectMapper().writeValueAsString(value)
            : value.isNull() || value.isMissingNode() ? "<no value>" : value.asText());
      }
    }
    out.flush();
    err.flush();
    return exit;
  }

  private static JsonNode select(JsonNode document, String path) {
    JsonNode node = document;
    for (String name : path.substring(1).split("\\.")) {
      if (!name.isEmpty()) {
        node = node.path(name);
      }
    }
    return node;
  }
}
