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
 * Runs every sample with tiny counts, each in its own JVM as a user would.
 */
class SamplesSmokeTest
{
    @TempDir
    static Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRunPingPong() throws Exception
    {
        final String output = run("io.conduit.samples.PingPong");
        final Matcher matcher = Pattern.compile("(\\d+) round trips \\(ns\\): p50=(\\d+)").matcher(output);
        assertTrue(matcher.find(), output);
        assertEquals(2000, Integer.parseInt(matcher.group(1)), output);
        assertTrue(Long.parseLong(matcher.group(2)) > 0, output);
    }

    /**
     * Bad input is an error that names it, before any channel is made or child started.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRefuseBadArgumentsAndProperties() throws Exception
    {
        final String usage = runExpectingFailure(List.of(), "io.conduit.samples.PingPong", "ping");
        assertTrue(usage.contains("usage: PingPong") && usage.contains("[ping]"), usage);
        final String length = runExpectingFailure(
            List.of("-Dconduit.samples.length=4"), "io.conduit.samples.PingPong");
        assertTrue(length.contains("conduit.samples.length=4 expected in [8, "), length);
        final String messages = runExpectingFailure(
            List.of("-Dconduit.samples.messages=many"), "io.conduit.samples.PingPong");
        assertTrue(messages.contains("conduit.samples.messages=many expected an integer"), messages);
    }

    static String runExpectingFailure(final List<String> properties, final String mainClass, final String... args)
        throws IOException, InterruptedException
    {
        // a channel directory that is a file: a sample that made a channel before refusing its input would fail on
        // that instead, so the refusal's own message shows it came first
        final Path notADirectory = Files.createTempFile(dir, "not-a-directory", "");
        final List<String> all = new ArrayList<>(properties);
        all.add("-Dconduit.dir=" + notADirectory);
        final Exit exit = launch(all, mainClass, args);
        assertTrue(0 != exit.value, "expected a failure: " + exit.output);
        return exit.output;
    }

    static String run(final String mainClass, final String... args) throws IOException, InterruptedException
    {
        final Exit exit = launch(
            List.of("-Dconduit.samples.messages=2000", "-Dconduit.samples.warmup=1000"), mainClass, args);
        assertEquals(0, exit.value, exit.output);
        return exit.output;
    }

    /**
     * Run a main class in its own JVM, killed with its children if it runs over a minute.
     */
    private static Exit launch(final List<String> properties, final String mainClass, final String... args)
        throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"), "-Dconduit.dir=" + dir));
        command.addAll(properties);
        command.add(mainClass);
        command.addAll(List.of(args));
        // output to a file, not a pipe: the pong grandchild inherits it, and a pipe it held open would block the read
        final Path log = Files.createTempFile(dir, mainClass, ".log");
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        final boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited)
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        final String output = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(exited, "timed out: " + output);
        return new Exit(process.exitValue(), output);
    }

    private record Exit(int value, String output)
    {
    }
}
