package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every link in the repository's Markdown files resolves inside the repository: a relative link names
 * a file or directory that exists and does not leave the checkout (a link to {@code ../shared/...}
 * works only on the machine it was written on), and a {@code #fragment} names a heading of its file.
 * Links to web addresses are not followed.
 */
class MarkdownLinksTest {
    /** {@code [text](target)} and {@code ![alt](target)}, with an optional title after the target. */
    private static final Pattern INLINE = Pattern.compile("\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    /** {@code [label]: target} on a line of its own. */
    private static final Pattern REFERENCE = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s.*)?$");

    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    @TempDir
    Path scratch;

    @Test
    void shouldResolveEveryLinkOfTheRepositoryInsideIt() throws IOException {
        Path root = repositoryRoot();
        List<Path> files = markdownFiles(root);
        assertThat(files).as("Markdown files under %s", root).isNotEmpty();
        List<String> broken = new ArrayList<>();
        for (Path file : files) {
            broken.addAll(brokenLinks(root, file));
        }
        assertThat(broken).as("links that do not resolve inside the repository").isEmpty();
    }

    @Test
    void shouldCatchLinksOutOfTheRepositoryToMissingFilesAndToMissingHeadings() throws IOException {
        Path repo = Files.createDirectories(scratch.resolve("repo"));
        Files.createDirectories(repo.resolve("docs"));
        Files.writeString(repo.resolve("docs/GUIDE.md"), "# Guide\n\n## Getting started: the `bus`\n");
        Files.writeString(scratch.resolve("OUTSIDE.md"), "# Outside\n");
        Path readme = Files.writeString(repo.resolve("README.md"), """
                # Title

                [ok](docs/GUIDE.md), [ok too](docs/GUIDE.md#getting-started-the-bus), [here](#title),
                [web](https://nsq.io/overview/design.html), [mail](mailto:someone@example.com)
                [out](../OUTSIDE.md) [missing](docs/NOPE.md) [no heading](docs/GUIDE.md#nowhere)
                [absolute](/etc/passwd)

                ```
                [in code](not/checked.md)
                ```

                [ref]: ../shared/REFERENCE.md
                """);
        assertThat(brokenLinks(repo, readme))
                .containsExactlyInAnyOrder(
                        "README.md: ../OUTSIDE.md (leaves the repository)",
                        "README.md: docs/NOPE.md (no such file)",
                        "README.md: docs/GUIDE.md#nowhere (no such heading)",
                        "README.md: /etc/passwd (leaves the repository)",
                        "README.md: ../shared/REFERENCE.md (leaves the repository)");
    }

    /** The checkout: the nearest directory above the working directory that holds {@code mvnw}. */
    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        assertThat(dir)
                .as("a directory with mvnw above %s", Path.of("").toAbsolutePath())
                .isNotNull();
        return dir;
    }

    private static List<Path> markdownFiles(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> {
                        Path relative = root.relativize(p);
                        for (Path part : relative) {
                            String name = part.toString();
                            if (name.equals("target") || name.equals("node_modules") || name.startsWith(".")) {
                                return false;
                            }
                        }
                        return true;
                    })
                    .sorted()
                    .toList();
        }
    }

    /** The links of {@code file} that do not resolve, as {@code path: target (why)}. */
    static List<String> brokenLinks(Path root, Path file) throws IOException {
        List<String> broken = new ArrayList<>();
        String name = root.relativize(file).toString();
        for (String target : links(Files.readAllLines(file))) {
            if (SCHEME.matcher(target).find()) {
                continue; // a web address or mailto:
            }
            int hash = target.indexOf('#');
            String path = hash < 0 ? target : target.substring(0, hash);
            String fragment = hash < 0 ? null : target.substring(hash + 1);
            Path resolved = path.isEmpty()
                    ? file
                    : file.getParent().resolve(path).normalize().toAbsolutePath();
            if (path.startsWith("/")
                    || !resolved.startsWith(root.toAbsolutePath().normalize())) {
                broken.add(name + ": " + target + " (leaves the repository)");
            } else if (!Files.exists(resolved)) {
                broken.add(name + ": " + target + " (no such file)");
            } else if (fragment != null
                    && resolved.toString().endsWith(".md")
                    && !headings(resolved).contains(fragment)) {
                broken.add(name + ": " + target + " (no such heading)");
            }
        }
        return broken;
    }

    private static List<String> links(List<String> lines) {
        List<String> targets = new ArrayList<>();
        boolean fenced = false;
        for (String line : lines) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            Matcher reference = REFERENCE.matcher(line);
            if (reference.matches()) {
                targets.add(reference.group(1));
                continue;
            }
            // code spans hold examples, not links
            Matcher inline = INLINE.matcher(line.replaceAll("`[^`]*`", "``"));
            while (inline.find()) {
                targets.add(inline.group(1));
            }
        }
        return targets;
    }

    /** The anchors GitHub gives the headings of a Markdown file. */
    private static Set<String> headings(Path file) {
        Set<String> anchors = new HashSet<>();
        try {
            boolean fenced = false;
            for (String line : Files.readAllLines(file)) {
                if (line.strip().startsWith("```")) {
                    fenced = !fenced;
                }
                Matcher m = HEADING.matcher(line);
                if (!fenced && m.matches()) {
                    anchors.add(anchor(m.group(1)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return anchors;
    }

    /** GitHub's rule: lower case; letters, digits, {@code -} and {@code _} kept; spaces become {@code -}. */
    static String anchor(String heading) {
        StringBuilder a = new StringBuilder();
        for (char c : heading.toLowerCase(Locale.ROOT).toCharArray()) {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                a.append(c);
            } else if (c == ' ') {
                a.append('-');
            }
        }
        return a.toString();
    }
}
