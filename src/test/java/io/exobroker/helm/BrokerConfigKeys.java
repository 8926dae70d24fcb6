package io.exobroker.helm;

import io.exobroker.config.StoreConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The broker's own configuration keys ({@code broker.*}), read from its {@code @ConfigMapping} interfaces as
 * SmallRye Config maps them: the prefix, then each method's kebab-case name (or its {@code @WithName}), nested
 * interfaces adding a level; the default is {@code @WithDefault}.
 */
final class BrokerConfigKeys {

    /**
     * The Kubernetes caller-auth keys agreed for issue 7 while that code is written on another branch. Used only
     * while no {@code @ConfigMapping} with this prefix is on the class path; once it is, its real keys and
     * defaults are checked instead.
     */
    static final String KUBERNETES_AUTH_PREFIX = "broker.kubernetes-auth";
    private static final Map<String, Optional<String>> AGREED_KUBERNETES_AUTH_KEYS = agreedKubernetesAuthKeys();

    private BrokerConfigKeys() {
    }

    /** Every broker key with its default (empty when it has none), in a stable order. */
    static Map<String, Optional<String>> all() {
        Map<String, Optional<String>> keys = new LinkedHashMap<>();
        for (Class<?> mapping : configMappings()) {
            collect(mapping.getAnnotation(ConfigMapping.class).prefix(), mapping, keys);
        }
        if (keys.keySet().stream().noneMatch(key -> key.startsWith(KUBERNETES_AUTH_PREFIX + "."))) {
            keys.putAll(AGREED_KUBERNETES_AUTH_KEYS);
        }
        return keys;
    }

    /** The environment variable SmallRye Config reads a key from: non-alphanumerics become '_', upper case. */
    static String environmentName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    private static void collect(String prefix, Class<?> type, Map<String, Optional<String>> keys) {
        for (Method method : type.getMethods()) {
            if (method.getParameterCount() > 0 || method.isDefault() || Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            WithName withName = method.getAnnotation(WithName.class);
            String key = prefix + "." + (withName != null ? withName.value() : kebabCase(method.getName()));
            Class<?> returned = method.getReturnType();
            if (returned.isInterface() && returned.getName().startsWith("io.exobroker.")) {
                collect(key, returned, keys);
            } else {
                WithDefault withDefault = method.getAnnotation(WithDefault.class);
                keys.put(key, Optional.ofNullable(withDefault).map(WithDefault::value));
            }
        }
    }

    private static String kebabCase(String camelCase) {
        return camelCase.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** The broker's compiled classes annotated {@code @ConfigMapping}, wherever their package. */
    private static List<Class<?>> configMappings() {
        Path classes = compiledClasses();
        byte[] marker = ConfigMapping.class.getName().replace('.', '/').getBytes(StandardCharsets.UTF_8);
        List<Class<?>> mappings = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class")).sorted()::iterator) {
                if (!contains(Files.readAllBytes(file), marker)) {
                    continue;
                }
                String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, BrokerConfigKeys.class.getClassLoader());
                if (type.isAnnotationPresent(ConfigMapping.class)) {
                    mappings.add(type);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
        return mappings;
    }

    private static Path compiledClasses() {
        try {
            return Path.of(StoreConfig.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static Map<String, Optional<String>> agreedKubernetesAuthKeys() {
        Map<String, Optional<String>> keys = new LinkedHashMap<>();
        keys.put(KUBERNETES_AUTH_PREFIX + ".enabled", Optional.of("false"));
        keys.put(KUBERNETES_AUTH_PREFIX + ".audience", Optional.of("exo-token-broker"));
        keys.put(KUBERNETES_AUTH_PREFIX + ".mode", Optional.empty());
        keys.put(KUBERNETES_AUTH_PREFIX + ".api-server", Optional.of("https://kubernetes.default.svc"));
        keys.put(KUBERNETES_AUTH_PREFIX + ".token-file", Optional.empty());
        keys.put(KUBERNETES_AUTH_PREFIX + ".ca-file", Optional.empty());
        keys.put(KUBERNETES_AUTH_PREFIX + ".issuer", Optional.empty());
        keys.put(KUBERNETES_AUTH_PREFIX + ".jwks-url", Optional.empty());
        keys.put(KUBERNETES_AUTH_PREFIX + ".cache-ttl", Optional.empty());
        return keys;
    }
}
