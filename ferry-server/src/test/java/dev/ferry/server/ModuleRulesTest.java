package dev.ferry.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The module rules of the house (README's "Layout"), checked on the main classes of every module
 * ferry-server sees: ferry-core, ferry-nsq, ferry-kamailio, ferry-redis and ferry-server itself (tests and test
 * jars are left out: a module's tests may reach its own and its dependencies' internals). A module is
 * known by its packages, which no two modules share.
 */
@AnalyzeClasses(
        packages = "dev.ferry",
        importOptions = {ImportOption.DoNotIncludeTests.class, ModuleRulesTest.DoNotIncludeTestJars.class})
class ModuleRulesTest {

    /** A module and the packages it owns; {@code internal} are those no other module may use. */
    record Module(String name, List<String> packages, List<String> internal) {
        boolean owns(JavaClass c) {
            return packages.stream().anyMatch(p -> inPackage(c, p));
        }

        boolean ownsInternal(JavaClass c) {
            return internal.stream().anyMatch(p -> inPackage(c, p));
        }

        /** {@code p} itself for a top package ending without "..", else p and its sub-packages. */
        private static boolean inPackage(JavaClass c, String p) {
            String name = c.getPackageName();
            if (p.endsWith("..")) {
                String root = p.substring(0, p.length() - 2);
                return name.equals(root) || name.startsWith(root + ".");
            }
            return name.equals(p);
        }
    }

    static final Module CORE = new Module(
            "ferry-core",
            List.of(
                    "dev.ferry",
                    "dev.ferry.spi..",
                    "dev.ferry.support..",
                    "dev.ferry.internal..",
                    "dev.ferry.routing..",
                    "dev.ferry.busmq.."),
            List.of("dev.ferry.internal.."));
    static final Module NSQ = new Module("ferry-nsq", List.of("dev.ferry.nsq.."), List.of("dev.ferry.nsq.internal.."));
    static final Module KAMAILIO = new Module(
            "ferry-kamailio",
            List.of("dev.ferry.mqueue..", "dev.ferry.async..", "dev.ferry.presence..", "dev.ferry.kamailio.."),
            List.of(
                    "dev.ferry.mqueue.internal..",
                    "dev.ferry.async.internal..",
                    "dev.ferry.presence.internal..",
                    "dev.ferry.kamailio.internal.."));
    static final Module REDIS =
            new Module("ferry-redis", List.of("dev.ferry.redis.."), List.of("dev.ferry.redis.internal.."));
    static final Module SERVER =
            new Module("ferry-server", List.of("dev.ferry.server.."), List.of("dev.ferry.server.."));
    static final List<Module> MODULES = List.of(CORE, NSQ, KAMAILIO, REDIS, SERVER);

    /** The packages applications use: each module's top package and its pattern packages. */
    static final String[] API_PACKAGES = {
        "dev.ferry",
        "dev.ferry.spi",
        "dev.ferry.routing",
        "dev.ferry.busmq",
        "dev.ferry.nsq",
        "dev.ferry.mqueue",
        "dev.ferry.async",
        "dev.ferry.presence"
    };

    @ArchTest
    static final ArchRule noModuleReachesAnotherModulesInternals = classes()
            .that(DescribedPredicate.describe(
                    "are in a Ferry module", c -> module(c).isPresent()))
            .should(
                    new ArchCondition<JavaClass>(
                            "use another module only through its API or its support package, never its internal packages") {
                        @Override
                        public void check(JavaClass item, ConditionEvents events) {
                            Module from = module(item).orElseThrow();
                            item.getDirectDependenciesFromSelf().forEach(d -> {
                                JavaClass target = d.getTargetClass().getBaseComponentType();
                                module(target)
                                        .filter(to -> to != from && to.ownsInternal(target))
                                        .ifPresent(to -> events.add(SimpleConditionEvent.violated(
                                                d,
                                                from.name() + " reaches into " + to.name() + "'s internals: "
                                                        + d.getDescription() + ". Use " + to.name()
                                                        + "'s public API or its support package (dev.ferry.support"
                                                        + " for ferry-core), or move what is needed there.")));
                            });
                        }
                    });

    @ArchTest
    static final ArchRule coreKnowsNoNetworkingAndNoOtherModule = noClasses()
            .that(inModule(CORE))
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.netty..",
                    "dev.ferry.nsq..",
                    "dev.ferry.server..",
                    "dev.ferry.bench..",
                    "dev.ferry.mqueue..",
                    "dev.ferry.async..",
                    "dev.ferry.presence..",
                    "dev.ferry.kamailio..",
                    "dev.ferry.redis..")
            .because("ferry-core knows nothing about sockets (transports come in through dev.ferry.spi.BusConnector)"
                    + " and depends on no other Ferry module");

    @ArchTest
    static final ArchRule nsqUsesNoEmbeddedEngineInternals = noClasses()
            .that(inModule(NSQ))
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.ferry.internal.engine..")
            .because("ferry-nsq serves any engine through dev.ferry.spi.Engine and knows nothing about disk layout");

    @ArchTest
    static final ArchRule redisUsesNoEmbeddedEngineInternals = noClasses()
            .that(inModule(REDIS))
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.ferry.internal..", "dev.ferry.nsq..", "dev.ferry.server..")
            .because("ferry-redis is an engine behind dev.ferry.spi.Engine, like the embedded one, and knows no"
                    + " transport");

    @ArchTest
    static final ArchRule kamailioUsesOnlyCoresPublicApi = noClasses()
            .that(inModule(KAMAILIO))
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "dev.ferry.internal..",
                    "dev.ferry.support..",
                    "dev.ferry.spi..",
                    "dev.ferry.nsq..",
                    "dev.ferry.server..")
            .because("ferry-kamailio is built on ferry-core's public API (dev.ferry and its pattern packages) only");

    @ArchTest
    static final ArchRule publicApiExposesNoInternalTypes = classes()
            .that()
            .resideInAnyPackage(API_PACKAGES)
            .and()
            .arePublic()
            .should(
                    new ArchCondition<JavaClass>(
                            "not expose internal or support types in public signatures (return, parameter and field types)") {
                        @Override
                        public void check(JavaClass item, ConditionEvents events) {
                            for (JavaCodeUnit unit : item.getCodeUnits()) {
                                if (!exposed(unit.getModifiers().contains(JavaModifier.PUBLIC), unit.getModifiers())) {
                                    continue;
                                }
                                unit.getParameterTypes()
                                        .forEach(t -> check(item, unit.getFullName(), t.toErasure(), events));
                                check(item, unit.getFullName(), unit.getRawReturnType(), events);
                            }
                            for (JavaField field : item.getFields()) {
                                if (exposed(field.getModifiers().contains(JavaModifier.PUBLIC), field.getModifiers())) {
                                    check(item, field.getFullName(), field.getRawType(), events);
                                }
                            }
                        }

                        private boolean exposed(boolean isPublic, Set<JavaModifier> modifiers) {
                            return isPublic || modifiers.contains(JavaModifier.PROTECTED);
                        }

                        private void check(JavaClass owner, String member, JavaClass type, ConditionEvents events) {
                            JavaClass t = type.getBaseComponentType();
                            String pkg = t.getPackageName();
                            if (pkg.contains(".internal") || pkg.startsWith("dev.ferry.support")) {
                                events.add(SimpleConditionEvent.violated(
                                        owner,
                                        member + " exposes " + t.getName() + " in the public API of "
                                                + owner.getPackageName() + "; take or return a public type instead"));
                            }
                        }
                    });

    private static DescribedPredicate<JavaClass> inModule(Module m) {
        return DescribedPredicate.describe("are in " + m.name(), m::owns);
    }

    static Optional<Module> module(JavaClass c) {
        return MODULES.stream().filter(m -> m.owns(c)).findFirst();
    }

    /** Leaves out the test jars (ferry-core's and ferry-nsq's test support) that DoNotIncludeTests keeps. */
    static final class DoNotIncludeTestJars implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("-tests.jar");
        }
    }
}
