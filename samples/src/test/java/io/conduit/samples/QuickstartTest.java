package io.conduit.samples;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The README's quick start is the tagged part of the ping-pong sample, character for character (less indent).
 */
class QuickstartTest
{
    @Test
    void shouldMatchReadmeQuickstart() throws Exception
    {
        final Path root = Paths.get("").toAbsolutePath().getParent();
        final List<String> sample = tagged(Files.readAllLines(
            root.resolve("samples/src/main/java/io/conduit/samples/PingPong.java")));
        final List<String> readme = tagged(Files.readAllLines(root.resolve("README.md")));
        assertFalse(sample.isEmpty());
        assertEquals(strip(sample), strip(readme));
    }

    private static List<String> tagged(final List<String> lines)
    {
        int start = -1;
        int end = -1;
        for (int i = 0; i < lines.size(); i++)
        {
            if (lines.get(i).contains("tag::quickstart[]"))
            {
                start = i;
            }
            else if (lines.get(i).contains("end::quickstart[]"))
            {
                end = i;
            }
        }
        return start < 0 || end < start ? List.of() : lines.subList(start, end + 1);
    }

    private static String strip(final List<String> lines)
    {
        final int indent = lines.get(0).length() - lines.get(0).stripLeading().length();
        return lines.stream()
            .map((line) -> line.length() >= indent ? line.substring(indent) : line.strip())
            .collect(Collectors.joining("\n"));
    }
}
