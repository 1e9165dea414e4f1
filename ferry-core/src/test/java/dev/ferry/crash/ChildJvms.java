package dev.ferry.crash;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts {@link ChildJvm}s for one test and kills whatever is left of them after it, pass or fail,
 * printing the stderr of each child for the record. Register with {@code @RegisterExtension}.
 */
final class ChildJvms implements AfterEachCallback {
    private final List<ChildJvm> started = new CopyOnWriteArrayList<>();

    ChildJvm start(Path workDir, String name, ChildJvm.LineListener listener, List<String> args) throws IOException {
        ChildJvm child = ChildJvm.start(workDir, name, listener, args);
        started.add(child);
        return child;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        for (ChildJvm child : started) {
            child.close();
            if (context.getExecutionException().isPresent()) {
                System.out.println("stderr of child " + child.name() + ":\n" + child.stderrTail());
                keepLines(context, child);
            }
        }
        started.clear();
    }

    /** Keeps the stdout and stderr of a failed test's child in target/crash-children for a post-mortem. */
    private static void keepLines(ExtensionContext context, ChildJvm child) {
        try {
            Path dir = Path.of("target", "crash-children");
            Files.createDirectories(dir);
            Path file = dir.resolve(context.getRequiredTestClass().getSimpleName() + "-"
                    + context.getRequiredTestMethod().getName() + "-" + System.currentTimeMillis() + "-"
                    + child.name() + ".out");
            Files.write(file, child.lines());
            Files.copy(
                    child.stderrFile(),
                    dir.resolve(file.getFileName().toString().replace(".out", ".err")));
            System.out.println(
                    "stdout and stderr of child " + child.name() + " kept in " + file.toAbsolutePath() + " and .err");
        } catch (IOException e) {
            System.out.println("could not keep the stdout of child " + child.name() + ": " + e);
        }
    }
}
