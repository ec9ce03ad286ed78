package io.conduit.codec;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.xml.sax.InputSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * docs/CODEC.md gives a complete pom for a project of one's own, "with every version spelt out (the ones Conduit is
 * built with)". This keeps that promise: the snippet's Conduit, Agrona and SBE versions, its plugin versions and its
 * SbeTool properties must be the build's own, so a version bump in the poms that forgets the doc fails here.
 */
class CodecDocPomTest
{
    private static Document docPom;
    private static Document rootPom;
    private static Document codecPom;

    @BeforeAll
    static void parse() throws Exception
    {
        final Path root = projectRoot();
        docPom = parse("<project>" + xmlBlockAfter(root.resolve("docs").resolve("CODEC.md"), "<properties>") +
            "</project>");
        rootPom = parse(Files.readString(root.resolve("pom.xml"), StandardCharsets.UTF_8));
        codecPom = parse(Files.readString(root.resolve("codec").resolve("pom.xml"), StandardCharsets.UTF_8));
    }

    @Test
    void shouldNameTheVersionsConduitIsBuiltWith()
    {
        final Element rootProperties = child(rootPom.getDocumentElement(), "properties");
        final Element docProperties = child(docPom.getDocumentElement(), "properties");
        assertEquals(
            text(child(rootPom.getDocumentElement(), "version")), text(child(docProperties, "conduit.version")),
            "conduit.version in docs/CODEC.md against the root pom's version");
        for (final String name : List.of("agrona.version", "sbe.version"))
        {
            assertEquals(text(child(rootProperties, name)), text(child(docProperties, name)),
                name + " in docs/CODEC.md against the root pom");
        }
    }

    @Test
    void shouldNameThePluginVersionsOfTheBuild()
    {
        final Map<String, String> managed = pluginVersions(
            child(child(child(rootPom.getDocumentElement(), "build"), "pluginManagement"), "plugins"));
        final Map<String, String> documented = pluginVersions(
            child(child(docPom.getDocumentElement(), "build"), "plugins"));
        assertFalse(documented.isEmpty(), "no plugin in docs/CODEC.md's pom");
        for (final Map.Entry<String, String> plugin : documented.entrySet())
        {
            assertEquals(managed.get(plugin.getKey()), plugin.getValue(),
                plugin.getKey() + "'s version in docs/CODEC.md against the root pom's pluginManagement");
        }
    }

    @Test
    void shouldGiveSbeToolTheBuildsProperties()
    {
        final Map<String, String> build = sbeToolProperties(codecPom);
        final Map<String, String> documented = sbeToolProperties(docPom);
        assertTrue(build.containsKey("sbe.java.generate.interfaces"), "codec/pom.xml's SbeTool properties: " + build);
        // sbe.output.dir is set per execution in codec/pom.xml, to a directory of the build's own
        build.remove("sbe.output.dir");
        assertEquals("${sbe.output.dir}", documented.remove("sbe.output.dir"), "docs/CODEC.md's sbe.output.dir");
        assertEquals(build, documented, "SbeTool's properties in docs/CODEC.md against codec/pom.xml");
    }

    private static Path projectRoot()
    {
        Path dir = Path.of("").toAbsolutePath();
        while (null != dir && !Files.isRegularFile(dir.resolve("docs").resolve("CODEC.md")))
        {
            dir = dir.getParent();
        }
        assertNotNull(dir, "no docs/CODEC.md above " + Path.of("").toAbsolutePath());
        return dir;
    }

    /**
     * The first fenced xml block of the file whose text starts with {@code start}.
     */
    private static String xmlBlockAfter(final Path file, final String start) throws Exception
    {
        final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++)
        {
            if ("```xml".equals(lines.get(i).trim()) && i + 1 < lines.size() && lines.get(i + 1).startsWith(start))
            {
                final StringBuilder block = new StringBuilder();
                for (int j = i + 1; j < lines.size() && !lines.get(j).startsWith("```"); j++)
                {
                    block.append(lines.get(j)).append('\n');
                }
                return block.toString();
            }
        }
        return fail("no ```xml block starting with " + start + " in " + file);
    }

    private static Document parse(final String xml) throws Exception
    {
        final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    }

    private static Map<String, String> pluginVersions(final Element plugins)
    {
        final Map<String, String> versions = new TreeMap<>();
        for (final Element plugin : children(plugins, "plugin"))
        {
            versions.put(text(child(plugin, "artifactId")), text(child(plugin, "version")));
        }
        return versions;
    }

    /**
     * The key/value pairs of every {@code systemProperty} under an exec-maven-plugin, at any depth.
     */
    private static Map<String, String> sbeToolProperties(final Document pom)
    {
        final Map<String, String> properties = new TreeMap<>();
        final NodeList plugins = pom.getElementsByTagName("plugin");
        for (int i = 0; i < plugins.getLength(); i++)
        {
            final Element plugin = (Element)plugins.item(i);
            if ("exec-maven-plugin".equals(text(child(plugin, "artifactId"))))
            {
                // the plugin's own configuration, which every execution shares, first; then what an execution adds
                // and the plugin leaves unset, never what it changes (the test-only schema generated with warnings
                // not fatal), whatever order the two come in
                for (final Element configuration : children(plugin, "configuration"))
                {
                    putSystemProperties(configuration, properties);
                }
                for (final Element executions : children(plugin, "executions"))
                {
                    for (final Element execution : children(executions, "execution"))
                    {
                        for (final Element configuration : children(execution, "configuration"))
                        {
                            putSystemProperties(configuration, properties);
                        }
                    }
                }
            }
        }
        return properties;
    }

    private static void putSystemProperties(final Element configuration, final Map<String, String> properties)
    {
        for (final Element systemProperties : children(configuration, "systemProperties"))
        {
            for (final Element entry : children(systemProperties, "systemProperty"))
            {
                properties.putIfAbsent(text(child(entry, "key")), text(child(entry, "value")));
            }
        }
    }

    private static List<Element> children(final Element parent, final String name)
    {
        final List<Element> children = new ArrayList<>();
        for (Node node = parent.getFirstChild(); null != node; node = node.getNextSibling())
        {
            if (node instanceof Element && name.equals(node.getNodeName()))
            {
                children.add((Element)node);
            }
        }
        return children;
    }

    private static Element child(final Element parent, final String name)
    {
        final List<Element> children = children(parent, name);
        assertEquals(1, children.size(), "<" + name + "> elements under <" + parent.getNodeName() + ">");
        return children.get(0);
    }

    private static String text(final Element element)
    {
        return element.getTextContent().trim();
    }
}
