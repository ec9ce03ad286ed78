package io.conduit.samples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every sample with tiny counts, each in its own JVM as a user would.
 */
class SamplesSmokeTest
{
    @TempDir
    static Path dir;

    @Test
    void shouldRunPingPong() throws Exception
    {
        final String output = run("io.conduit.samples.PingPong");
        final Matcher matcher = Pattern.compile("(\\d+) round trips \\(ns\\): p50=(\\d+)").matcher(output);
        assertTrue(matcher.find(), output);
        assertEquals(2000, Integer.parseInt(matcher.group(1)), output);
        assertTrue(Long.parseLong(matcher.group(2)) > 0, output);
    }

    static String run(final String mainClass, final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"),
            "-Dconduit.samples.messages=2000", "-Dconduit.samples.warmup=1000",
            "-Dconduit.dir=" + dir, mainClass));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!exited)
        {
            process.destroyForcibly();
        }
        assertTrue(exited, "timed out: " + output);
        assertEquals(0, process.exitValue(), output);
        return output;
    }
}
