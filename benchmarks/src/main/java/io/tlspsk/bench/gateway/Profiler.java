package io.tlspsk.bench.gateway;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Records a phase of a running server JVM from outside, by jcmd: JFR (JFR.start / JFR.stop, the "profile"
 * settings: execution samples every 10 ms and allocation samples) or async-profiler (loaded with
 * JVMTI.agent_load, CPU time sampled by the kernel's interval timer every millisecond, one stack list per thread,
 * written as collapsed stacks). One at a time: JFR's thread sampler shows up in async-profiler's samples (its
 * signal handler) when both run. Each jcmd is bounded.
 */
final class Profiler {

    static final long JCMD_TIMEOUT_SECONDS = 60;

    private final String jcmd;
    private final long pid;
    private final Path dir;
    private final Path asyncProfiler;
    private final String name;

    Profiler(String jcmd, long pid, Path dir, Path asyncProfiler, String name) {
        this.jcmd = jcmd;
        this.pid = pid;
        this.dir = dir;
        this.asyncProfiler = asyncProfiler;
        this.name = name;
    }

    /** The profilers to run, one measured phase each: each perturbs the other's samples when run together. */
    List<String> kinds() {
        return asyncProfiler == null ? List.of("jfr") : List.of("async-profiler", "jfr");
    }

    void start(String kind) throws Exception {
        if (kind.equals("jfr")) {
            run("JFR.start", "name=gateway", "settings=profile");
        } else {
            // Quoted: jcmd would take "event=itimer" for an option of its own.
            run("JVMTI.agent_load", asyncProfiler.toString(), "\"start,event=itimer,interval=1ms,threads\"");
        }
    }

    void stop(String kind) throws Exception {
        if (kind.equals("jfr")) {
            run("JFR.stop", "name=gateway", "filename=" + dir.resolve(name + ".jfr"));
        } else {
            run("JVMTI.agent_load", asyncProfiler.toString(),
                    "\"stop,collapsed,file=" + dir.resolve(name + ".collapsed") + "\"");
        }
    }

    private void run(String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(jcmd, Long.toString(pid)));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("jcmd.log").toFile())).start();
        if (!p.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish in " + JCMD_TIMEOUT_SECONDS
                    + " s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "), see "
                    + dir.resolve("jcmd.log"));
        }
    }
}
