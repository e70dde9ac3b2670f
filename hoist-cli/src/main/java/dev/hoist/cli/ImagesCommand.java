package dev.hoist.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.Hoist;
import dev.hoist.catalog.LocalImage;
import dev.hoist.cli.progress.Units;
import dev.hoist.reference.ImageReference;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hoist images}: docker's image list, over the store. */
@Command(
    name = "images",
    mixinStandardHelpOptions = true,
    description = {
      "List the images in the store, newest first.",
      "SIZE is what the image's blobs take in the store (compressed layers, as pulled)."
    },
    footer = {
      "",
      "Examples:",
      "  hoist images",
      "  hoist images debian            (every tag of one repository)",
      "  hoist images --digests debian:bookworm",
      "  hoist images -q                (IDs only, for scripts)",
      "  hoist images --format json     (one JSON object per line)"
    })
final class ImagesCommand implements Callable<Integer> {
  private static final DateTimeFormatter CREATED_AT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z 'UTC'").withZone(ZoneOffset.UTC);

  @Spec CommandSpec spec;

  @Mixin GlobalOptions global;

  @Parameters(arity = "0..1", paramLabel = "REPOSITORY[:TAG]", description = "Only this repository (and tag).")
  String filter;

  @Option(names = "--digests", description = "Show the registry digest of each image.")
  boolean digests;

  @Option(names = {"-q", "--quiet"}, description = "Only show image IDs.")
  boolean quiet;

  @Option(names = "--no-trunc", description = "Show full image IDs.")
  boolean noTrunc;

  @Option(names = "--format", paramLabel = "table|json", description = "Output as a table (default) or JSON lines.")
  String format = "table";

  /** One line of the list: an image under one of its names. */
  private record Row(LocalImage image, String repository, String tag, String digest) {}

  @Override
  public Integer call() throws Exception {
    if (!format.equals("table") && !format.equals("json")) {
      throw new IllegalArgumentException("unsupported --format " + format + ": use table or json");
    }
    ImageReference wanted = filter == null ? null : ImageReference.parse(filter);
    List<Row> rows = new ArrayList<>();
    try (Hoist hoist = global.hoist().build()) {
      for (LocalImage image : hoist.images().list()) {
        for (Row row : rows(image)) {
          if (matches(row, wanted)) {
            rows.add(row);
          }
        }
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    Instant now = Instant.now();
    if (quiet) {
      rows.forEach(r -> out.println(id(r.image())));
    } else if (format.equals("json")) {
      ObjectMapper json = new ObjectMapper();
      for (Row r : rows) {
        Map<String, String> line = new LinkedHashMap<>();
        line.put("Containers", "N/A");
        line.put("CreatedAt", r.image().created().map(CREATED_AT::format).orElse(""));
        line.put("CreatedSince", created(r.image(), now));
        line.put("Digest", r.digest());
        line.put("ID", id(r.image()));
        line.put("Repository", r.repository());
        line.put("SharedSize", "N/A");
        line.put("Size", Units.size(r.image().size(), 3));
        line.put("Tag", r.tag());
        line.put("UniqueSize", "N/A");
        line.put("VirtualSize", Units.size(r.image().size(), 3));
        out.println(json.writeValueAsString(line));
      }
    } else {
      Table table = digests
          ? new Table("REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE")
          : new Table("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
      for (Row r : rows) {
        String size = Units.size(r.image().size(), 3);
        if (digests) {
          table.add(r.repository(), r.tag(), r.digest(), id(r.image()), created(r.image(), now), size);
        } else {
          table.add(r.repository(), r.tag(), id(r.image()), created(r.image(), now), size);
        }
      }
      table.print(out);
    }
    out.flush();
    return 0;
  }

  /** docker's rows: one per tag; a repository known only by digest gets one {@code <none>} row. */
  private static List<Row> rows(LocalImage image) {
    List<Row> rows = new ArrayList<>();
    List<String> tagged = new ArrayList<>();
    for (ImageReference tag : image.tags()) {
      rows.add(new Row(image, tag.familiarName(), tag.tag().orElseThrow(), digestIn(image, tag.repository())));
      tagged.add(tag.repository());
    }
    for (ImageReference byDigest : image.digests()) {
      if (!tagged.contains(byDigest.repository())) {
        tagged.add(byDigest.repository());
        rows.add(new Row(image, byDigest.familiarName(), "<none>", byDigest.digest().orElseThrow().toString()));
      }
    }
    for (String other : image.otherNames()) {
      rows.add(new Row(image, other, "<none>", "<none>"));
    }
    if (rows.isEmpty()) {
      rows.add(new Row(image, "<none>", "<none>", "<none>"));
    }
    return rows;
  }

  private static String digestIn(LocalImage image, String repository) {
    Optional<ImageReference> match =
        image.digests().stream().filter(d -> d.repository().equals(repository)).findFirst();
    return match.map(d -> d.digest().orElseThrow().toString()).orElse("<none>");
  }

  private static boolean matches(Row row, ImageReference wanted) {
    if (wanted == null) {
      return true;
    }
    if (!row.repository().equals(wanted.familiarName())) {
      return false;
    }
    return wanted.tag().map(t -> t.equals(row.tag())).orElse(true);
  }

  private String id(LocalImage image) {
    return noTrunc ? image.id().toString() : image.shortId();
  }

  private static String created(LocalImage image, Instant now) {
    return image.created().map(c -> HumanTime.ago(Duration.between(c, now))).orElse("N/A");
  }
}
