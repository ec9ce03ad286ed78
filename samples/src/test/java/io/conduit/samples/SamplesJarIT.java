package io.conduit.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the shaded jar with {@code java -jar}, as the README's first command does. {@link SamplesSmokeTest} starts
 * the samples with {@code -cp}, so it cannot see a manifest that lost its {@code Main-Class} or its
 * {@code Add-Exports}; this test can. Failsafe runs it after {@code package}, the phase that builds the jar
 * ({@code conduit.samples.jar}).
 */
class SamplesJarIT
{
    private static final Pattern PERCENTILES = Pattern.compile(
        "(\\d+) round trips \\(ns\\): p50=(\\d+) p90=\\d+ p99=\\d+ p99\\.9=\\d+ p99\\.99=\\d+ max=\\d+");

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRunPingPongFromTheJarAsTheReadmeDoes() throws Exception
    {
        checkPercentiles(runJar(List.of("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED")));
    }

    /**
     * Without {@code --add-exports} on the command line only the manifest's {@code Add-Exports} opens
     * {@code jdk.internal.misc} to Agrona: the README's flag would hide its loss.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRunPingPongFromTheJarWithTheManifestAddExportsAlone() throws Exception
    {
        checkPercentiles(runJar(List.of()));
    }

    private static void checkPercentiles(final String output)
    {
        final Matcher matcher = PERCENTILES.matcher(output);
        assertTrue(matcher.find(), output);
        assertEquals(2000, Integer.parseInt(matcher.group(1)), output);
        assertTrue(Long.parseLong(matcher.group(2)) > 0, output);
    }

    /**
     * Run the jar with tiny counts in its own JVM, killed with its children if it runs over a minute.
     */
    private String runJar(final List<String> jvmFlags) throws IOException, InterruptedException
    {
        final Path jar = Path.of(System.getProperty("conduit.samples.jar", "target/conduit-samples.jar"));
        assertTrue(Files.isRegularFile(jar), "no shaded jar (run through failsafe, after package): " + jar);
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(List.of("-Dconduit.dir=" + dir, "-Dconduit.samples.messages=2000",
            "-Dconduit.samples.warmup=1000", "-jar", jar.toString()));
        // output to a file, not a pipe: the pong grandchild inherits it, and a pipe it held open would block the read
        final Path log = Files.createTempFile(dir, "ping-pong", ".log");
        final ProcessBuilder builder = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
        // options from the environment (an --add-exports there) would hide a manifest that lost its Add-Exports
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        final Process process = builder.start();
        boolean exited = false;
        try
        {
            exited = process.waitFor(60, TimeUnit.SECONDS);
        }
        finally
        {
            if (!exited)
            {
                // timed out or interrupted: ping and pong spin on both cores until killed
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
        final String output = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(exited, "timed out: " + command + "\n" + output);
        assertEquals(0, process.exitValue(), command + "\n" + output);
        return output;
    }
}
