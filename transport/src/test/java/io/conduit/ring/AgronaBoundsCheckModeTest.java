package io.conduit.ring;

import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The ring tests run twice: with Agrona's bounds checks on (the default) and, in a second surefire execution, with
 * {@code agrona.disable.bounds.checks=true} (transport/pom.xml). This proves each execution ran in the mode it was
 * meant to, so the second one cannot pass by running with Agrona's checks on after all.
 */
class AgronaBoundsCheckModeTest
{
    @Test
    void shouldRunWithTheAgronaBoundsCheckModeTheBuildAskedFor()
    {
        final boolean expected = Boolean.parseBoolean(System.getProperty("conduit.test.agronaBoundsChecks", "true"));
        assertEquals(expected, DirectBuffer.SHOULD_BOUNDS_CHECK);
    }
}
