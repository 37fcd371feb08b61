package io.ferry.faults;

import java.util.EnumSet;
import java.util.Set;

/** The faults of the matrix, each injected and repaired by {@link FaultMatrix}; the phases it applies to. */
public enum Fault {
    WORKERS_SIGTERM("every worker stopped (SIGTERM) and started again, in turn"),
    WORKERS_SIGKILL("every worker killed (SIGKILL) and started again, in turn"),
    POSTGRES_CRASH("PostgreSQL stopped with -m immediate (a crash) for 3 s, then started"),
    POSTGRES_CONNECTIONS("the sink's PostgreSQL connections killed (pg_terminate_backend)"),
    BROKER_RESTART("the Kafka broker killed (SIGKILL) for 3 s, then started"),
    SOURCE_RESTART("MariaDB stopped for 3 s and started; Debezium reconnects from its binlog position",
            EnumSet.of(Phase.CDC)),
    REBALANCE("the group shrunk to 1 worker, grown to 3, shrunk to 1 and grown back (tasks.max=3)"),
    TASK_FAILED("the sink's login revoked: its task FAILED; login granted again, task restarted through the REST API"),
    PAUSE_RESUME("both connectors paused for 5 s, then resumed"),
    RELOAD_SOURCE_KILLED("drift planted in fm_entry and fm_account, both reloaded (ferry reload) while the workload "
            + "writes; the worker running the source task killed (SIGKILL) mid-reload and started again",
            EnumSet.of(Phase.CDC));

    /** When a fault is injected. */
    public enum Phase { LOAD, BUILD, CDC }

    final String description;
    final Set<Phase> phases;

    Fault(String description) {
        this(description, EnumSet.allOf(Phase.class));
    }

    Fault(String description, Set<Phase> phases) {
        this.description = description;
        this.phases = phases;
    }
}
