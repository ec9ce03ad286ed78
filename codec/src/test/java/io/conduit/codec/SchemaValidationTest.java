package io.conduit.codec;

import org.junit.jupiter.api.Test;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXParseException;

import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import java.io.IOException;
import java.io.StringReader;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every SBE schema of the module, main and test, is valid against the SBE XSD that ships in sbe-tool. SbeTool's own
 * XSD check ({@code sbe.validation.xsd}) only prints what it finds, and its parser ignores attributes it does not know,
 * so a misspelt {@code sinceVersion} would otherwise pass unnoticed.
 */
class SchemaValidationTest
{
    private static final List<Path> SCHEMA_DIRS =
        List.of(Paths.get("src", "main", "resources", "schema"), Paths.get("src", "test", "resources", "schema"));

    @Test
    void shouldValidateEverySchemaAgainstTheSbeXsd() throws Exception
    {
        final Schema schema = sbeXsd();

        final List<Path> files = schemaFiles();
        assertTrue(files.size() >= 5, "schemas found: " + files);
        final List<String> errors = new ArrayList<>();
        for (final Path file : files)
        {
            final Validator validator = schema.newValidator();
            validator.setErrorHandler(new CollectingErrorHandler(file, errors));
            validator.validate(new StreamSource(file.toFile()));
        }
        assertEquals(List.of(), errors);
    }

    @Test
    void shouldRejectAMisspeltAttribute() throws Exception
    {
        final Path file = Paths.get("src", "test", "resources", "schema", "evolution-v1.xml");
        final String text = Files.readString(file);
        assertTrue(text.contains("sinceVersion="), "no sinceVersion in " + file);
        final Validator validator = sbeXsd().newValidator();
        final List<String> errors = new ArrayList<>();
        validator.setErrorHandler(new CollectingErrorHandler(file, errors));
        validator.validate(new StreamSource(new StringReader(text.replace("sinceVersion=", "sinceversion="))));
        assertFalse(errors.isEmpty());
        assertTrue(errors.get(0).contains("sinceversion"), errors.get(0));
    }

    private static Schema sbeXsd() throws Exception
    {
        final URL xsd = SchemaValidationTest.class.getClassLoader().getResource("fpl/sbe.xsd");
        assertNotNull(xsd, "fpl/sbe.xsd not on the test class path (sbe-tool)");
        return SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI).newSchema(xsd);
    }

    private static List<Path> schemaFiles() throws IOException
    {
        final List<Path> files = new ArrayList<>();
        for (final Path dir : SCHEMA_DIRS)
        {
            try (Stream<Path> paths = Files.list(dir))
            {
                files.addAll(paths.filter((path) -> path.toString().endsWith(".xml")).sorted()
                    .collect(Collectors.toList()));
            }
        }
        return files;
    }

    private static final class CollectingErrorHandler implements ErrorHandler
    {
        private final Path file;
        private final List<String> errors;

        private CollectingErrorHandler(final Path file, final List<String> errors)
        {
            this.file = file;
            this.errors = errors;
        }

        @Override
        public void warning(final SAXParseException ex)
        {
            add("warning", ex);
        }

        @Override
        public void error(final SAXParseException ex)
        {
            add("error", ex);
        }

        @Override
        public void fatalError(final SAXParseException ex)
        {
            add("fatal", ex);
        }

        private void add(final String severity, final SAXParseException ex)
        {
            errors.add(severity + " " + file + ":" + ex.getLineNumber() + ":" + ex.getColumnNumber() + " " +
                ex.getMessage());
        }
    }
}
