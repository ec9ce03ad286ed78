package io.conduit.codec;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/CODEC.md, "Conduit's schemas": schema ids 1 to 99 are Conduit's, and template ids are unique across Conduit's
 * own schemas, so a ring's type id alone tells which Conduit message a record holds. Read from the schema files
 * themselves, not from the generated code, so a schema added to {@code src/main/resources/schema} is checked
 * whether or not the pom generates it.
 */
class SchemaIdsTest
{
    private static final Path MAIN_SCHEMA_DIR = Paths.get("src", "main", "resources", "schema");
    private static final String SBE_NAMESPACE = "http://fixprotocol.io/2016/sbe";
    private static final int MIN_CONDUIT_SCHEMA_ID = 1;
    private static final int MAX_CONDUIT_SCHEMA_ID = 99;

    @Test
    void shouldGiveEveryMessageOfConduitsSchemasATemplateIdOfItsOwn() throws Exception
    {
        final List<Message> messages = new ArrayList<>();
        final List<Path> files;
        try (Stream<Path> paths = Files.list(MAIN_SCHEMA_DIR))
        {
            files = paths.filter((path) -> path.toString().endsWith(".xml")).sorted().toList();
        }
        assertTrue(files.size() >= 3, "schemas found: " + files);
        for (final Path file : files)
        {
            messages.addAll(messages(file.getFileName().toString(), Files.readString(file)));
        }

        assertTrue(messages.size() >= files.size(), "messages found: " + messages);
        assertEquals(List.of(), outsideConduitsRange(messages));
        assertEquals(List.of(), sharedTemplateIds(messages));
    }

    /**
     * The check above, given a duplicate: the same template id in two of Conduit's schemas, and twice in one.
     */
    @Test
    void shouldFindATemplateIdTwoMessagesShare() throws Exception
    {
        final List<Message> messages = new ArrayList<>();
        messages.addAll(messages("a.xml", schema(1, "<sbe:message name=\"A\" id=\"1\"/>" +
            "<sbe:message name=\"B\" id=\"2\"/><sbe:message name=\"C\" id=\"2\"/>")));
        messages.addAll(messages("b.xml", schema(2, "<sbe:message name=\"D\" id=\"1\"/>" +
            "<sbe:message name=\"E\" id=\"3\"/>")));

        assertEquals(List.of(
            "templateId=2 of a.xml (schemaId=1) B and a.xml (schemaId=1) C",
            "templateId=1 of a.xml (schemaId=1) A and b.xml (schemaId=2) D"), sharedTemplateIds(messages));
        assertEquals(List.of(), outsideConduitsRange(messages));
        assertEquals(List.of("a.xml: schemaId=100 expected in [1, 99]"),
            outsideConduitsRange(messages("a.xml", schema(100, "<sbe:message name=\"A\" id=\"1\"/>"))));
    }

    /**
     * @return each template id held by more than one message, naming the first holder and each other one.
     */
    private static List<String> sharedTemplateIds(final List<Message> messages)
    {
        final Map<Integer, Message> firstByTemplateId = new HashMap<>();
        final List<String> shared = new ArrayList<>();
        for (final Message message : messages)
        {
            final Message first = firstByTemplateId.putIfAbsent(message.templateId(), message);
            if (null != first)
            {
                shared.add("templateId=" + message.templateId() + " of " + first + " and " + message);
            }
        }
        return shared;
    }

    /**
     * @return each schema whose id is outside Conduit's range, once.
     */
    private static List<String> outsideConduitsRange(final List<Message> messages)
    {
        return messages.stream()
            .filter((message) -> !isConduitSchemaId(message.schemaId()))
            .map((message) -> message.file() + ": schemaId=" + message.schemaId() + " expected in [" +
                MIN_CONDUIT_SCHEMA_ID + ", " + MAX_CONDUIT_SCHEMA_ID + "]")
            .distinct()
            .toList();
    }

    private static boolean isConduitSchemaId(final int schemaId)
    {
        return MIN_CONDUIT_SCHEMA_ID <= schemaId && schemaId <= MAX_CONDUIT_SCHEMA_ID;
    }

    private static List<Message> messages(final String file, final String xml) throws Exception
    {
        final DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        final Document document = factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
        final Element root = document.getDocumentElement();
        assertEquals(SBE_NAMESPACE + " messageSchema", root.getNamespaceURI() + " " + root.getLocalName(), file);
        final int schemaId = Integer.parseInt(root.getAttribute("id"));
        final NodeList elements = root.getElementsByTagNameNS(SBE_NAMESPACE, "message");
        final List<Message> messages = new ArrayList<>();
        for (int i = 0; i < elements.getLength(); i++)
        {
            final Element element = (Element)elements.item(i);
            messages.add(new Message(
                file, schemaId, element.getAttribute("name"), Integer.parseInt(element.getAttribute("id"))));
        }
        return messages;
    }

    private static String schema(final int schemaId, final String messages)
    {
        return "<sbe:messageSchema xmlns:sbe=\"" + SBE_NAMESPACE + "\" package=\"test\" id=\"" + schemaId +
            "\" version=\"0\"><types/>" + messages + "</sbe:messageSchema>";
    }

    private record Message(String file, int schemaId, String name, int templateId)
    {
        @Override
        public String toString()
        {
            return file + " (schemaId=" + schemaId + ") " + name;
        }
    }
}
