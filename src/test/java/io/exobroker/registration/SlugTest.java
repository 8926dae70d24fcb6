package io.exobroker.registration;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlugTest {

    /** The documented definition; the production check is a loop and must agree with it on every input. */
    private static final Pattern DEFINITION = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    @Test
    void acceptsTheDocumentedShape() {
        assertTrue(Slug.isValid("a"));
        assertTrue(Slug.isValid("0"));
        assertTrue(Slug.isValid("contoso-mail-2"));
        assertTrue(Slug.isValid("a-"));
        assertTrue(Slug.isValid("x".repeat(63)));
    }

    @Test
    void rejectsEverythingElse() {
        assertFalse(Slug.isValid(null));
        assertFalse(Slug.isValid(""));
        assertFalse(Slug.isValid("-a"));
        assertFalse(Slug.isValid("Contoso"));
        assertFalse(Slug.isValid("a_b"));
        assertFalse(Slug.isValid("a b"));
        assertFalse(Slug.isValid("../etc"));
        assertFalse(Slug.isValid("x".repeat(64)));
        assertFalse(Slug.isValid("caf\u00e9"));
        assertFalse(Slug.isValid("a\n"));
    }

    @Test
    void agreesWithTheRegexDefinitionOnRandomInput() {
        // given strings drawn mostly from near the alphabet's edges, of lengths around the limit
        String alphabet = "az09-_AZ./ \u00e9`{\n";
        Random random = new Random(20261124L);
        for (int i = 0; i < 200_000; i++) {
            int length = random.nextInt(70);
            StringBuilder candidate = new StringBuilder(length);
            for (int j = 0; j < length; j++) {
                candidate.append(random.nextInt(4) == 0
                        ? alphabet.charAt(random.nextInt(alphabet.length()))
                        : (char) ('a' + random.nextInt(26)));
            }
            String value = candidate.toString();
            // then the loop and the regex agree
            assertEquals(DEFINITION.matcher(value).matches(), Slug.isValid(value), () -> "disagree on '" + value + "'");
        }
    }
}
