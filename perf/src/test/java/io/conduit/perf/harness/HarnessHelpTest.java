package io.conduit.perf.harness;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * perf/README.md: {@code --help} (or {@code -h}) prints the options and exits, running nothing. The harness runs in
 * a JVM of its own, as a user runs it, from an empty working directory, with options that would otherwise start the
 * smoke run at once (no re-launch, no pinning) and write into a directory of the test's: so a help that ran anything
 * would print progress, write files, or take longer than the bound.
 */
class HarnessHelpTest
{
    private static final long EXIT_TIMEOUT_MS = 30_000;

    @TempDir
    Path work;

    @TempDir
    Path logs;

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldPrintTheUsageAndRunNothing(final String help) throws Exception
    {
        final Path out = work.resolve("out");
        // as a user runs it, with the harness's own flags (which keep JDK 22 and later from warning on stderr)
        final List<String> command = new ArrayList<>(List.of(HarnessJvm.javaLauncher()));
        command.addAll(HarnessJvm.flags());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Harness.class.getName()));
        // the help first for one spelling and last for the other: it wins wherever it stands
        final List<String> runOptions = List.of("--smoke", "--no-relaunch", "--no-pin", "--out", out.toString());
        if ("-h".equals(help))
        {
            command.add(help);
            command.addAll(runOptions);
        }
        else
        {
            command.addAll(runOptions);
            command.add(help);
        }
        final Path stdout = logs.resolve("stdout");
        final Path stderr = logs.resolve("stderr");
        final ProcessBuilder builder = new ProcessBuilder(command)
            .directory(work.toFile())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile());
        // options from the environment would put a "Picked up" line of the launcher's on stderr
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        final Process harness = builder.start();
        try
        {
            assertTrue(harness.waitFor(EXIT_TIMEOUT_MS, TimeUnit.MILLISECONDS),
                () -> "still running after " + EXIT_TIMEOUT_MS + " ms; stderr: " + read(stderr));
        }
        finally
        {
            harness.destroyForcibly();
        }

        assertEquals(0, harness.exitValue(), () -> "stderr: " + read(stderr));
        assertEquals(HarnessOptions.USAGE + System.lineSeparator(), read(stdout));
        assertEquals("", read(stderr), "progress or warnings: something ran");
        assertFalse(Files.exists(out), "the output directory was made");
        try (Stream<Path> left = Files.list(work))
        {
            assertEquals(List.of(), left.toList(), "files left in the working directory");
        }
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final IOException ex)
        {
            return "unreadable: " + ex;
        }
    }
}
