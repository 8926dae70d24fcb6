import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.classfile.Annotation;
import java.lang.classfile.AnnotationElement;
import java.lang.classfile.AnnotationValue;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Does the part of GraalVM's {@code native-image} launcher that native/check.sh needs, because no launcher for
 * 23.x+ is published on Maven Central: it turns the {@code native-image.args} Quarkus writes with
 * {@code -Dquarkus.native.sources-only=true} into the command line of the image builder
 * ({@code NativeImageGeneratorRunner}) running on a plain JDK, and writes the C headers the builder expects in
 * its C library path ({@code CLIBRARY_DIR/include}) from svm's own {@code @CStruct}/{@code @CConstant} annotations.
 *
 * <p>Only the options Quarkus and the broker's dependencies actually use are translated; anything else stops the
 * check with a message, so a new option is noticed instead of silently dropped. Runs with the JDK's source
 * launcher on Java 25 (it reads class files with {@code java.lang.classfile}).
 *
 * <pre>
 * java BuilderInvocation.java headers BUILDER_JAR_DIR CLIBRARY_DIR
 * java BuilderInvocation.java args NATIVE_SOURCES_DIR BUILDER_JAR_DIR CLIBRARY_DIR OUTPUT_DIR HEAP JVM_ARGFILE IMAGE_ARGFILE
 * </pre>
 */
public final class BuilderInvocation {

    static final String GRAALVM_VERSION = "25.0.2";
    static final String BUILDER_MODULE = "org.graalvm.nativeimage.builder";
    static final String RUNNER = "com.oracle.svm.hosted.NativeImageGeneratorRunner";
    /** Replaces the JDK's empty jdk.graal.compiler placeholder module. */
    static final String COMPILER_JAR_PREFIX = "compiler-";
    static final String META_INF = "META-INF/native-image";

    /** {@code native-image.properties} and the configuration files the launcher lowers to builder options. */
    static final Map<String, String> CONFIG_FILE_OPTIONS = Map.of(
            "reachability-metadata.json", "ReachabilityMetadataResources",
            "jni-config.json", "JNIConfigurationResources",
            "reflect-config.json", "ReflectionConfigurationResources",
            "resource-config.json", "ResourceConfigurationResources",
            "proxy-config.json", "DynamicProxyConfigurationResources",
            "serialization-config.json", "SerializationConfigurationResources",
            "serialization-deny-config.json", "SerializationDenyConfigurationResources",
            "predefined-classes-config.json", "PredefinedClassesConfigurationResources");

    public static void main(String[] args) throws IOException {
        if (args.length == 3 && args[0].equals("headers")) {
            writeHeaders(Path.of(args[1]), Path.of(args[2]));
        } else if (args.length == 8 && args[0].equals("args")) {
            new Translation(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), Path.of(args[4]), args[5])
                    .write(Path.of(args[6]), Path.of(args[7]));
        } else {
            System.err.println("usage: headers BUILDER_JAR_DIR CLIBRARY_DIR | args NATIVE_SOURCES BUILDER_JAR_DIR CLIBRARY_DIR OUT HEAP JVM_ARGFILE IMAGE_ARGFILE");
            System.exit(2);
        }
    }

    // ---- headers -------------------------------------------------------------------------------------------

    /** Which class declares each header's contents (the header name is the one its directives class names). */
    static final Map<String, List<String>> HEADERS = Map.of(
            "amd64cpufeatures.h", List.of("com/oracle/svm/core/amd64/AMD64LibCHelper$CPUFeatures.class"),
            "aarch64cpufeatures.h", List.of("com/oracle/svm/core/aarch64/AArch64LibCHelper$CPUFeatures.class"),
            "riscv64cpufeatures.h", List.of("com/oracle/svm/core/riscv64/RISCV64LibCHelper$CPUFeatures.class"),
            "svm_locale.h", List.of("com/oracle/svm/core/c/locale/LocaleCHelper.class",
                    "com/oracle/svm/core/c/locale/LocaleCHelper$LocaleProps.class"));

    static void writeHeaders(Path builderJars, Path clibraries) throws IOException {
        Path svm = jar(builderJars, "svm-");
        Path include = clibraries.resolve("include");
        Files.createDirectories(include);
        try (JarFile jar = new JarFile(svm.toFile())) {
            for (Map.Entry<String, List<String>> header : new java.util.TreeMap<>(HEADERS).entrySet()) {
                StringBuilder text = new StringBuilder("/* Generated by native/BuilderInvocation.java from the annotations in "
                        + svm.getFileName() + ": only the declarations the image builder queries. */\n");
                for (String entry : header.getValue()) {
                    ClassModel model;
                    try (InputStream in = jar.getInputStream(Optional.ofNullable(jar.getJarEntry(entry))
                            .orElseThrow(() -> new IllegalStateException(svm + " has no " + entry)))) {
                        model = ClassFile.of().parse(in.readAllBytes());
                    }
                    text.append(declarations(model));
                }
                Files.writeString(include.resolve(header.getKey()), text.toString());
            }
        }
    }

    /** A {@code @CStruct} interface becomes a typedef of its {@code @CField}s; {@code @CConstant}s become ints. */
    static String declarations(ClassModel model) {
        StringBuilder out = new StringBuilder();
        Optional<Annotation> struct = annotation(model.findAttribute(Attributes.runtimeVisibleAnnotations())
                .map(a -> a.annotations()).orElse(List.of()), "Lorg/graalvm/nativeimage/c/struct/CStruct;");
        if (struct.isPresent()) {
            String name = stringElement(struct.get(), "value").filter(s -> !s.isEmpty())
                    .orElseGet(() -> simpleName(model));
            Set<String> fields = new TreeSet<>();
            for (MethodModel method : model.methods()) {
                annotation(methodAnnotations(method), "Lorg/graalvm/nativeimage/c/struct/CField;")
                        .ifPresent(field -> fields.add(stringElement(field, "value").filter(s -> !s.isEmpty())
                                .orElse(method.methodName().stringValue())));
            }
            out.append("typedef struct {\n");
            String returnType = model.methods().stream()
                    .filter(m -> annotation(methodAnnotations(m), "Lorg/graalvm/nativeimage/c/struct/CField;").isPresent())
                    .map(m -> m.methodTypeSymbol().returnType().descriptorString())
                    .findFirst().orElse("Z");
            String cType = returnType.equals("Z") ? "char" : "char*";
            fields.forEach(f -> out.append("  ").append(cType).append(' ').append(f).append(";\n"));
            out.append("} ").append(name).append(";\n");
        }
        int value = 0;
        for (MethodModel method : model.methods()) {
            Optional<Annotation> constant = annotation(methodAnnotations(method), "Lorg/graalvm/nativeimage/c/constant/CConstant;");
            if (constant.isPresent()) {
                String name = stringElement(constant.get(), "value").filter(s -> !s.isEmpty())
                        .orElse(method.methodName().stringValue());
                // Analysis only needs distinct values; the executable that would use them is never linked here.
                out.append("const int ").append(name).append(" = ").append(value++).append(";\n");
            }
        }
        return out.toString();
    }

    static List<Annotation> methodAnnotations(MethodModel method) {
        return method.findAttribute(Attributes.runtimeVisibleAnnotations()).map(a -> a.annotations()).orElse(List.of());
    }

    static Optional<Annotation> annotation(List<Annotation> annotations, String descriptor) {
        return annotations.stream().filter(a -> a.className().stringValue().equals(descriptor)).findFirst();
    }

    static Optional<String> stringElement(Annotation annotation, String name) {
        for (AnnotationElement element : annotation.elements()) {
            if (element.name().stringValue().equals(name) && element.value() instanceof AnnotationValue.OfString s) {
                return Optional.of(s.stringValue());
            }
        }
        return Optional.empty();
    }

    static String simpleName(ClassModel model) {
        String internal = model.thisClass().asInternalName();
        return internal.substring(Math.max(internal.lastIndexOf('/'), internal.lastIndexOf('$')) + 1);
    }

    static Path jar(Path dir, String prefix) throws IOException {
        try (Stream<Path> jars = Files.list(dir)) {
            return jars.filter(p -> p.getFileName().toString().startsWith(prefix) && p.toString().endsWith(".jar"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no " + prefix + "*.jar in " + dir));
        }
    }

    // ---- arguments -----------------------------------------------------------------------------------------

    static final class Translation {
        final Path sources;
        final Path builderJars;
        final Path clibraries;
        final Path output;
        final String heap;
        final List<String> jvm = new ArrayList<>();
        final List<String> image = new ArrayList<>();
        final LinkedHashSet<Path> classpath = new LinkedHashSet<>();
        final List<Pattern[]> excludedConfigs = new ArrayList<>();
        String imageName;

        Translation(Path sources, Path builderJars, Path clibraries, Path output, String heap) {
            this.sources = sources.toAbsolutePath();
            this.builderJars = builderJars.toAbsolutePath();
            this.clibraries = clibraries.toAbsolutePath();
            this.output = output.toAbsolutePath();
            this.heap = heap;
        }

        void write(Path jvmArgFile, Path imageArgFile) throws IOException {
            List<String> quarkusArgs = Arrays.stream(Files.readString(sources.resolve("native-image.args")).trim()
                    .split("\\s+")).toList();
            translate(quarkusArgs, "native-image.args");
            for (Path entry : classpath) {
                walkMetaInf(entry);
            }
            if (imageName == null) {
                throw new IllegalStateException("native-image.args names no image");
            }
            image.add("-H:Name=" + imageName);
            image.add("-H:Path=" + output);
            // The relocatable object is written to the temporary build directory: keep it in the output directory.
            image.add("-H:TempDirectory=" + output.resolve("tmp"));
            image.add("-H:CLibraryPath=" + clibraries);
            image.add("-H:ImageBuildID=" + UUID.randomUUID());
            // Analysis and compilation in full, then stop after writing the relocatable object: no static JDK
            // libraries are needed and nothing is linked.
            image.add("-H:+ExitAfterRelocatableImageWrite");
            List<String> imageArgs = new ArrayList<>();
            imageArgs.add("-imagecp");
            imageArgs.add(classpath.stream().map(Path::toString).collect(Collectors.joining(":")));
            // Experimental options are unlocked once for the whole list (the launcher tracks the +/- toggles per
            // option origin; the builder alone does not).
            imageArgs.add("-H:+UnlockExperimentalVMOptions");
            imageArgs.addAll(image);
            Files.writeString(imageArgFile, String.join("\0", imageArgs));

            List<String> all = new ArrayList<>(builderJvmArgs());
            all.addAll(jvm);
            all.add("--module");
            all.add(BUILDER_MODULE + "/" + RUNNER);
            Files.writeString(jvmArgFile, all.stream().map(Translation::quote).collect(Collectors.joining("\n")) + "\n");
        }

        /** What the launcher always passes to the builder's JVM. */
        List<String> builderJvmArgs() throws IOException {
            List<Path> jars;
            try (Stream<Path> list = Files.list(builderJars)) {
                jars = list.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
            }
            List<Path> upgrade = jars.stream().filter(p -> p.getFileName().toString().startsWith(COMPILER_JAR_PREFIX)).toList();
            List<Path> modules = jars.stream().filter(p -> !upgrade.contains(p)).toList();
            if (upgrade.isEmpty()) {
                throw new IllegalStateException("no compiler jar in " + builderJars);
            }
            Set<String> builderModules = ModuleFinder.of(modules.toArray(Path[]::new)).findAll().stream()
                    .map(ModuleReference::descriptor).map(d -> d.name()).collect(Collectors.toCollection(TreeSet::new));
            Set<String> targets = new TreeSet<>(builderModules);
            targets.add("jdk.graal.compiler");
            String exportTargets = String.join(",", targets);

            List<String> args = new ArrayList<>(List.of(
                    "-XX:+UnlockExperimentalVMOptions", "-XX:+EnableJVMCI", "-XX:-UseJVMCICompiler",
                    "-Xss10m", "-Xmx" + heap, "-XX:+UseParallelGC",
                    "-Xshare:off",
                    "-Djava.awt.headless=true",
                    "-Dorg.graalvm.version=" + GRAALVM_VERSION,
                    "-Dorg.graalvm.vendor=GraalVM Community",
                    // Quarkus reads the builder's version from this (GraalVM$Version.getCurrent) and fails without it.
                    "-Dorg.graalvm.vendorversion=GraalVM CE " + GRAALVM_VERSION,
                    "-Dcom.oracle.graalvm.isaot=true",
                    "-Djava.system.class.loader=com.oracle.svm.hosted.NativeImageSystemClassLoader",
                    "-Dorg.graalvm.nativeimage.imagecode=buildtime",
                    "-Djdk.internal.lambda.disableEagerInitialization=true",
                    "-Djdk.internal.lambda.eagerlyInitialize=false",
                    "-Djava.lang.invoke.InnerClassLambdaMetafactory.initializeLambdas=false",
                    "-Djava.lang.invoke.MethodHandle.DONT_INLINE_THRESHOLD=-1",
                    "-Djava.lang.invoke.MethodHandle.PROFILE_GWT=false",
                    "--add-modules=ALL-DEFAULT",
                    "--enable-native-access=" + String.join(",", builderModules),
                    "--upgrade-module-path", upgrade.stream().map(Path::toString).collect(Collectors.joining(":")),
                    "--module-path", modules.stream().map(Path::toString).collect(Collectors.joining(":"))));
            // The builder reaches into JVMCI and JDK internals; a GraalVM passes it a fixed list of exports made
            // at its build. Here every package these modules do not export to everyone is exported to it.
            for (String module : List.of("java.base", "jdk.internal.vm.ci", "jdk.internal.jvmstat", "jdk.jfr",
                    "jdk.management", "java.management")) {
                ModuleFinder.ofSystem().find(module).map(ModuleReference::descriptor).ifPresent(d -> {
                    Set<String> public_ = d.exports().stream().filter(e -> !e.isQualified())
                            .map(e -> e.source()).collect(Collectors.toSet());
                    d.packages().stream().sorted().filter(p -> !public_.contains(p))
                            .forEach(p -> args.add("--add-exports=" + module + "/" + p + "=" + exportTargets));
                });
            }
            return args.stream().distinct().toList();
        }

        void translate(List<String> args, String origin) throws IOException {
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (arg.isEmpty()) {
                    continue;
                }
                if (arg.startsWith("-J")) {
                    jvm.add(arg.substring(2));
                } else if (arg.equals("-H:+UnlockExperimentalVMOptions") || arg.equals("-H:-UnlockExperimentalVMOptions")) {
                    continue; // unlocked once for all, see write()
                } else if (arg.startsWith("-H:") || arg.startsWith("-R:")) {
                    image.add(arg);
                } else if (arg.startsWith("-D")) {
                    jvm.add(arg);
                } else if (arg.equals("-jar")) {
                    jarArgument(sources.resolve(args.get(++i)));
                } else if (arg.equals("--exclude-config")) {
                    excludedConfigs.add(new Pattern[] {Pattern.compile(args.get(++i)), Pattern.compile(args.get(++i))});
                } else if (arg.equals("--no-fallback")) {
                    image.add("-H:FallbackThreshold=0");
                } else if (arg.equals("--link-at-build-time")) {
                    image.add("-H:LinkAtBuildTime=");
                } else if (arg.startsWith("--link-at-build-time=")) {
                    image.add("-H:LinkAtBuildTime=" + value(arg));
                } else if (arg.startsWith("--features=")) {
                    image.add("-H:Features=" + value(arg));
                } else if (arg.startsWith("--enable-url-protocols=")) {
                    image.add("-H:EnableURLProtocols=" + value(arg));
                } else if (arg.startsWith("--enable-monitoring=")) {
                    image.add("-H:EnableMonitoringFeatures=" + value(arg));
                } else if (arg.startsWith("--enable-native-access=")) {
                    image.add("-H:EnableNativeAccess=" + value(arg));
                } else if (arg.startsWith("--initialize-at-run-time=")) {
                    image.add("-H:ClassInitialization=" + initialization(value(arg), "run_time"));
                } else if (arg.startsWith("--initialize-at-build-time=")) {
                    image.add("-H:ClassInitialization=" + initialization(value(arg), "build_time"));
                } else if (arg.startsWith("-march=")) {
                    image.add("-H:MicroArchitecture=" + value(arg));
                } else if (!arg.startsWith("-") && imageName == null) {
                    imageName = arg;
                } else {
                    throw new IllegalStateException("BuilderInvocation does not translate '" + arg + "' (from " + origin
                            + "); add it to native/BuilderInvocation.java");
                }
            }
        }

        static String value(String arg) {
            return arg.substring(arg.indexOf('=') + 1);
        }

        static String initialization(String classes, String when) {
            return Arrays.stream(classes.split(",")).filter(s -> !s.isBlank()).map(c -> c + ":" + when)
                    .collect(Collectors.joining(","));
        }

        /** {@code -jar}: the jar, its manifest Class-Path, its Main-Class, and its Add-Opens/Add-Exports. */
        void jarArgument(Path jar) throws IOException {
            Manifest manifest;
            try (JarFile file = new JarFile(jar.toFile())) {
                manifest = file.getManifest();
            }
            java.util.jar.Attributes main = manifest.getMainAttributes();
            classpath.add(jar);
            String classPath = main.getValue("Class-Path");
            if (classPath != null) {
                for (String entry : classPath.trim().split(" +")) {
                    classpath.add(jar.getParent().resolve(entry).normalize());
                }
            }
            image.add("-H:Class=" + main.getValue("Main-Class"));
            for (String[] attribute : new String[][] {{"Add-Opens", "AddOpens"}, {"Add-Exports", "AddExports"}}) {
                String value = main.getValue(attribute[0]);
                if (value != null) {
                    for (String target : value.trim().split(" +")) {
                        image.add("-H:" + attribute[1] + "=" + target + "=ALL-UNNAMED");
                    }
                }
            }
        }

        /** Options of each class-path entry's META-INF/native-image: its properties' Args and its config files. */
        void walkMetaInf(Path entry) throws IOException {
            if (!Files.isRegularFile(entry)) {
                throw new IllegalStateException("class-path entry missing: " + entry);
            }
            try (FileSystem jar = FileSystems.newFileSystem(URI.create("jar:" + entry.toUri()), Map.of())) {
                Path base = jar.getPath("/" + META_INF);
                if (!Files.isDirectory(base)) {
                    return;
                }
                List<Path> files;
                try (Stream<Path> walk = Files.walk(base)) {
                    files = walk.filter(Files::isRegularFile).sorted(Comparator.comparing(Path::toString)).toList();
                }
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    if (excluded(entry, file)) {
                        continue;
                    }
                    String resource = file.toString().substring(1);
                    if (name.equals("native-image.properties")) {
                        Properties properties = new Properties();
                        try (InputStream in = Files.newInputStream(file)) {
                            properties.load(in);
                        }
                        String directory = resource.substring(0, resource.lastIndexOf('/'));
                        for (String key : properties.stringPropertyNames()) {
                            String value = properties.getProperty(key).replace("${.}", directory);
                            List<String> values = Arrays.stream(value.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
                            switch (key) {
                                case "Args" -> translate(values, entry + "!/" + resource);
                                case "JavaArgs" -> jvm.addAll(values);
                                default -> throw new IllegalStateException("BuilderInvocation does not handle " + key
                                        + " in " + entry + "!/" + resource);
                            }
                        }
                    } else if (CONFIG_FILE_OPTIONS.containsKey(name)) {
                        image.add("-H:" + CONFIG_FILE_OPTIONS.get(name) + "=" + resource);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + entry, e);
            }
        }

        boolean excluded(Path entry, Path resource) {
            return excludedConfigs.stream().anyMatch(e -> e[0].matcher(entry.toString()).find()
                    && e[1].matcher(resource.toString()).find());
        }

        /** Java argument-file quoting: everything in double quotes, backslashes and quotes escaped. */
        static String quote(String arg) {
            return '"' + arg.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
    }
}
