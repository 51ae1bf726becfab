package dev.chimera.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of docs/architecture.md, checked on the compiled main classes: one package per concept, dependencies
 * one way. A change that needs a new arrow changes the diagram there and the rule here together.
 */
class LayeringTest {
    private static JavaClasses classes;

    @BeforeAll
    static void load() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.chimera");
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("dev.chimera.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void eachPackageUsesOnlyTheLayersBelowIt() {
        Architectures.layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("core")
                .definedBy("dev.chimera")
                .layer("tensor")
                .definedBy("dev.chimera.tensor")
                .layer("merge.method")
                .definedBy("dev.chimera.merge.method")
                .layer("merge.cpu")
                .definedBy("dev.chimera.merge.cpu")
                .layer("merge.arch")
                .definedBy("dev.chimera.merge.arch")
                .layer("merge")
                .definedBy("dev.chimera.merge")
                .layer("search")
                .definedBy("dev.chimera.search")
                .layer("search.genome")
                .definedBy("dev.chimera.search.genome")
                .layer("model")
                .definedBy("dev.chimera.model")
                .layer("jinja")
                .definedBy("dev.chimera.jinja")
                .layer("eval")
                .definedBy("dev.chimera.eval")
                .layer("estimate")
                .definedBy("dev.chimera.estimate")
                .layer("engine.run")
                .definedBy("dev.chimera.engine.run")
                .layer("engine.work")
                .definedBy("dev.chimera.engine.work")
                .layer("engine.actor")
                .definedBy("dev.chimera.engine.actor")
                .layer("engine.control")
                .definedBy("dev.chimera.engine.control")
                .layer("engine")
                .definedBy("dev.chimera.engine")
                .layer("local")
                .definedBy("dev.chimera.local")
                .layer("bench")
                .definedBy("dev.chimera.bench")
                .layer("zoo")
                .definedBy("dev.chimera.zoo")
                .layer("demo")
                .definedBy("dev.chimera.demo")
                .layer("cli")
                .definedBy("dev.chimera.cli")
                .whereLayer("core")
                .mayOnlyAccessLayers("core")
                .whereLayer("tensor")
                .mayOnlyAccessLayers("core")
                .whereLayer("merge.method")
                .mayOnlyAccessLayers("core", "tensor")
                .whereLayer("merge.cpu")
                .mayOnlyAccessLayers("core", "tensor", "merge.method")
                .whereLayer("merge.arch")
                .mayOnlyAccessLayers("core", "tensor", "merge.method")
                .whereLayer("merge")
                .mayOnlyAccessLayers("core", "tensor", "merge.method", "merge.cpu", "merge.arch")
                .whereLayer("search")
                .mayOnlyAccessLayers("core")
                .whereLayer("search.genome")
                .mayOnlyAccessLayers("core", "search", "merge", "merge.arch", "merge.method", "tensor")
                .whereLayer("model")
                .mayOnlyAccessLayers("core", "tensor")
                .whereLayer("jinja")
                .mayNotAccessAnyLayer()
                .whereLayer("eval")
                .mayOnlyAccessLayers("core", "tensor", "model", "jinja")
                .whereLayer("estimate")
                .mayOnlyAccessLayers("core", "tensor", "model", "eval")
                .whereLayer("engine.run")
                .mayOnlyAccessLayers(
                        "core",
                        "tensor",
                        "merge",
                        "merge.arch",
                        "merge.method",
                        "search",
                        "search.genome",
                        "estimate",
                        "eval")
                .whereLayer("engine.work")
                .mayOnlyAccessLayers(
                        "core",
                        "tensor",
                        "merge",
                        "merge.method",
                        "model",
                        "eval",
                        "estimate",
                        "search",
                        "search.genome",
                        "engine.run")
                .whereLayer("engine.actor")
                .mayOnlyAccessLayers("core", "search", "estimate", "engine.run", "engine.work")
                .whereLayer("engine.control")
                .mayOnlyAccessLayers("core", "engine.run", "engine.actor")
                .whereLayer("engine")
                .mayOnlyAccessLayers(
                        "core", "tensor", "merge", "engine.run", "engine.work", "engine.actor", "engine.control")
                .whereLayer("local")
                .mayOnlyAccessLayers("core", "tensor", "merge", "merge.method", "model", "search", "search.genome")
                .whereLayer("bench")
                .mayOnlyAccessLayers(
                        "core", "tensor", "merge", "merge.method", "model", "engine.run", "engine.actor", "engine")
                .whereLayer("zoo")
                .mayOnlyAccessLayers(
                        "core", "tensor", "merge", "merge.method", "model", "eval", "search", "search.genome")
                .whereLayer("demo")
                .mayOnlyAccessLayers(
                        "core",
                        "tensor",
                        "merge",
                        "merge.method",
                        "model",
                        "eval",
                        "estimate",
                        "search",
                        "search.genome",
                        "engine.run",
                        "engine.actor",
                        "engine.control",
                        "engine",
                        "zoo")
                .whereLayer("cli")
                .mayNotBeAccessedByAnyLayer()
                .check(classes);
    }

    @Test
    void actorsDoNotTouchDjl() {
        // a libtorch call on an actor's thread would block it: DJL work runs in engine.work on the blocking dispatcher
        noClasses()
                .that()
                .resideInAnyPackage("dev.chimera.engine.actor", "dev.chimera.engine.control")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("ai.djl..")
                .check(classes);
    }

    @Test
    void nothingBelowTheEngineUsesPekko() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "dev.chimera",
                        "dev.chimera.tensor",
                        "dev.chimera.merge..",
                        "dev.chimera.search..",
                        "dev.chimera.model",
                        "dev.chimera.eval",
                        "dev.chimera.estimate",
                        "dev.chimera.engine.run",
                        "dev.chimera.engine.work",
                        "dev.chimera.zoo")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.apache.pekko..")
                .check(classes);
    }
}
