package io.ferry.sink.stats;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;

/**
 * Ferry's MBeans on the platform server. A metric that cannot be registered is logged, never a failure of the task:
 * the rows matter more than their gauges. A bean of the same name (left by a task of this connector that stopped
 * without cleaning up) is replaced.
 */
public final class Jmx {

    private static final Logger log = LoggerFactory.getLogger(Jmx.class);
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    private Jmx() {
    }

    /** Registers {@code bean} as {@code name}; returns the name, or null when it could not be (logged as {@code what}). */
    public static ObjectName register(Object bean, String name, String what) {
        try {
            ObjectName on = new ObjectName(name);
            if (SERVER.isRegistered(on)) {
                SERVER.unregisterMBean(on);
            }
            SERVER.registerMBean(bean, on);
            return on;
        } catch (Exception e) {
            log.warn("Could not register {} in JMX: {}", what, e.toString());
            return null;
        }
    }

    /** Removes a bean; one already gone (or never registered: null) is no error. */
    public static void unregister(ObjectName name) {
        if (name == null) {
            return;
        }
        try {
            SERVER.unregisterMBean(name);
        } catch (Exception ignored) {
            // already gone: nothing to release
        }
    }
}
