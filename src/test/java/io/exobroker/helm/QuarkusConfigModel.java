package io.exobroker.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The configuration properties of every Quarkus extension on the class path, from the config model each extension
 * ships ({@code META-INF/quarkus-config-doc/quarkus-config-model.json}), with the phase at which each is read.
 */
final class QuarkusConfigModel {

    private static final String MODEL = "META-INF/quarkus-config-doc/quarkus-config-model.json";

    /**
     * One property. {@code environment} matches the environment variables that set it; a map key in the property
     * ({@code quarkus.log.category."categories".level}) matches any key.
     */
    record Property(String name, String phase, boolean deprecated, Pattern environment) {
    }

    private final List<Property> properties;

    private QuarkusConfigModel(List<Property> properties) {
        this.properties = properties;
    }

    static QuarkusConfigModel load() {
        List<Property> properties = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try {
            for (URL model : Collections.list(QuarkusConfigModel.class.getClassLoader().getResources(MODEL))) {
                try (InputStream in = model.openStream()) {
                    collect(json.readTree(in), properties);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new QuarkusConfigModel(properties);
    }

    int size() {
        return properties.size();
    }

    /** The property an environment variable sets, if any extension has it. */
    Optional<Property> byEnvironmentName(String variable) {
        return properties.stream().filter(p -> p.environment().matcher(variable).matches()).findFirst();
    }

    private static void collect(JsonNode node, List<Property> properties) {
        if (node.isObject() && node.path("path").isObject() && node.path("path").has("property")) {
            String name = node.path("path").path("property").asText();
            properties.add(new Property(name, node.path("phase").asText(), node.has("deprecation"),
                    environmentPattern(name)));
        }
        node.forEach(child -> collect(child, properties));
    }

    /** Each character that is not a letter or digit becomes '_' (quotes included); a quoted map key is any key. */
    private static Pattern environmentPattern(String property) {
        String withKeys = property.replaceAll("\"[^\"]*\"", "\u0000");
        StringBuilder pattern = new StringBuilder();
        for (char c : withKeys.toCharArray()) {
            if (c == '\u0000') {
                pattern.append("_[A-Z0-9_]+_");
            } else if (Character.isLetterOrDigit(c)) {
                pattern.append(Character.toUpperCase(c));
            } else {
                pattern.append('_');
            }
        }
        return Pattern.compile(pattern.toString());
    }
}
