package io.tlspsk.testing;

import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Decides, test by test, whether the peers named by {@link RequiresPeer} on the test method, its class and the
 * classes enclosing it are installed.
 *
 * <p>Evaluated per test, never per class: a class disabled as a whole is one skipped container that Surefire does not
 * list test by test, and an {@code assumeTrue} in {@code @BeforeAll} makes the class report "Tests run: 0, Skipped:
 * 0", so the tests vanish. Here each test is skipped on its own, with a reason naming the missing programs and their
 * package, printed on a line of its own. With {@value #REQUIRED_PROPERTY}{@code =true} a missing peer throws instead, which JUnit reports as that
 * test's failure: CI must not go green with the peers absent. Class-level set-up ({@code @BeforeAll}) still runs, so
 * it must not start a peer.
 */
public final class RequiresPeerCondition implements ExecutionCondition {

    /** {@code true}: a missing peer fails each test that needs it instead of skipping it. */
    public static final String REQUIRED_PROPERTY = "interop.required";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            return ConditionEvaluationResult.enabled("peers are checked per test");
        }
        List<String> missing = new ArrayList<>();
        for (InteropPeer peer : requiredPeers(context)) {
            List<String> programs = peer.missingPrograms();
            if (!programs.isEmpty()) {
                missing.add(String.join(", ", programs) + " (Debian package " + peer.debianPackage() + ")");
            }
        }
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled("peers found");
        }
        String reason = "interop peer not found: " + String.join("; ", missing) + " in "
                + (System.getProperty(InteropPeer.PATH_PROPERTY, "").isBlank() ? "PATH"
                        : InteropPeer.PATH_PROPERTY + "=" + InteropPeer.searchPath())
                + "; .ci/run installs it";
        if (peersRequired()) {
            throw new AssertionError(reason + " (" + REQUIRED_PROPERTY + "=true)");
        }
        // Surefire's console names no skipped test in its default (brief) format, only counts them; this line, which
        // it passes through from the test JVM, names it. The reason also lands in the XML report's <skipped>.
        System.out.println("[interop] SKIPPED " + context.getRequiredTestClass().getName() + "."
                + context.getRequiredTestMethod().getName() + ": " + reason);
        return ConditionEvaluationResult.disabled(reason);
    }

    /** Whether {@value #REQUIRED_PROPERTY} is {@code true}. */
    public static boolean peersRequired() {
        return Boolean.parseBoolean(System.getProperty(REQUIRED_PROPERTY, "false").trim());
    }

    /**
     * The peers named on the test method and on the classes of its context and the contexts above it (superclasses
     * through {@code @Inherited}, outer classes of {@code @Nested} ones through the parent contexts).
     */
    private static Set<InteropPeer> requiredPeers(ExtensionContext context) {
        Set<InteropPeer> peers = new LinkedHashSet<>();
        addFrom(context.getTestMethod(), peers);
        for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
            addFrom(c.get().getTestClass(), peers);
        }
        return peers;
    }

    private static void addFrom(Optional<? extends AnnotatedElement> element, Set<InteropPeer> peers) {
        AnnotationSupport.findAnnotation(element, RequiresPeer.class).ifPresent(a -> peers.addAll(List.of(a.value())));
    }
}
