package io.exobroker;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package rules of DESIGN.md's layout, so that a change breaking one fails the build: dependencies point one way,
 * from the surfaces ({@code api}, {@code admin}) through the token lifecycle and the stores down to the models
 * ({@code registration}, {@code caller}), and only the HTTP surface knows the web layer. Main classes only: tests may
 * reach anywhere.
 */
@AnalyzeClasses(packages = "io.exobroker", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String BROKER = "io.exobroker..";
    private static final String[] WEB_LAYER = {"jakarta.ws.rs..", "org.jboss.resteasy..", "io.vertx.."};

    @ArchTest
    static final ArchRule noCycleBetweenPackages = slices().matching("io.exobroker.(*)..")
            .should().beFreeOfCycles()
            .because("each package is a layer that a newcomer can read without the ones above it");

    @ArchTest
    static final ArchRule registrationIsAModelOfItsOwn = noClasses().that().resideInAPackage("io.exobroker.registration..")
            .should().dependOnClassesThat(brokerPackagesOtherThan("io.exobroker.registration..", "io.exobroker.error.."))
            .because("a registration is a value every other package uses; it knows nothing of stores or surfaces");

    @ArchTest
    static final ArchRule callerKnowsOnlyModelsAndConfiguration = noClasses().that().resideInAPackage("io.exobroker.caller..")
            .should().dependOnClassesThat(brokerPackagesOtherThan("io.exobroker.caller..", "io.exobroker.registration..",
                    "io.exobroker.error..", "io.exobroker.config.."))
            .because("callers and their policy are a model: only registration, error and config may be below them");

    @ArchTest
    static final ArchRule storeKnowsNoSurfaceOrTokenLifecycle = noClasses().that().resideInAPackage("io.exobroker.store..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "io.exobroker.token..", "io.exobroker.admin..", "io.exobroker.api..", "io.exobroker.authentication..",
                    "io.exobroker.rotation..")
            .because("the stores persist records; who uses them is not their concern");

    @ArchTest
    static final ArchRule tokenKnowsNoSurface = noClasses().that().resideInAPackage("io.exobroker.token..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "io.exobroker.admin..", "io.exobroker.api..", "io.exobroker.authentication..",
                    "io.exobroker.rotation..")
            .because("the token lifecycle serves every surface alike and must not know which one asks");

    @ArchTest
    static final ArchRule rotationKnowsNoSurface = noClasses().that().resideInAPackage("io.exobroker.rotation..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "io.exobroker.admin..", "io.exobroker.api..", "io.exobroker.authentication..",
                    "io.exobroker.health..")
            .because("rotation works on the store and the token lifecycle; the admin API and health only look at it");

    @ArchTest
    static final ArchRule onlyRotationAndAdminStartRotations = noClasses().that()
            .resideOutsideOfPackages("io.exobroker.rotation..", "io.exobroker.admin..", "io.exobroker.api..")
            .should().dependOnClassesThat().resideInAPackage("io.exobroker.rotation..")
            .because("a rotation changes the app's keys in Entra ID: only the scheduler and the admin action start one");

    @ArchTest
    static final ArchRule federationKnowsOnlyModelsAndConfiguration = noClasses().that()
            .resideInAPackage("io.exobroker.federation..")
            .should().dependOnClassesThat(brokerPackagesOtherThan("io.exobroker.federation..",
                    "io.exobroker.registration..", "io.exobroker.error..", "io.exobroker.config.."))
            .because("assertion sources read a file or ask the platform for a token; the stores and the token "
                    + "lifecycle use them, never the other way round");

    @ArchTest
    static final ArchRule tracingKnowsNoBrokerPackage = noClasses().that().resideInAPackage("io.exobroker.tracing..")
            .should().dependOnClassesThat(brokerPackagesOtherThan("io.exobroker.tracing.."))
            .because("the token lifecycle and the stores report to the tracing seam; it names spans and decides nothing");

    @ArchTest
    static final ArchRule nothingDependsOnTheApi = noClasses().that().resideOutsideOfPackage("io.exobroker.api..")
            .should().dependOnClassesThat().resideInAPackage("io.exobroker.api..")
            .because("the HTTP surface is the top layer");

    @ArchTest
    static final ArchRule onlyTheApiKnowsTheWebLayer = noClasses().that().resideOutsideOfPackage("io.exobroker.api..")
            .should().dependOnClassesThat().resideInAnyPackage(WEB_LAYER)
            .because("only the HTTP surface speaks HTTP; everything below it is testable without a server");

    /** Classes of the broker outside the given packages. */
    private static DescribedPredicate<JavaClass> brokerPackagesOtherThan(String... allowed) {
        return resideInAPackage(BROKER).and(not(resideInAnyPackage(allowed)))
                .as("reside in a broker package other than " + String.join(", ", allowed));
    }
}
