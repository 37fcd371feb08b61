package io.ferry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show every connector and task on a Connect cluster, with the first lines of any failure.")
final class StatusCommand implements Callable<Integer> {

    @Mixin
    ConnectOption connect;

    @Override
    public Integer call() throws Exception {
        ConnectClient client = connect.client();
        boolean failed = false;
        for (String name : client.connectors()) {
            JsonNode s = client.status(name);
            System.out.printf("%-32s %-10s on %s%n", name, s.path("connector").path("state").asText(),
                    s.path("connector").path("worker_id").asText());
            for (JsonNode t : s.path("tasks")) {
                String state = t.path("state").asText();
                failed |= state.equals("FAILED");
                System.out.printf("  task %-3s %-10s on %s%n", t.path("id").asText(), state, t.path("worker_id").asText());
                if (t.hasNonNull("trace")) {
                    t.path("trace").asText().lines().limit(4).forEach(l -> System.out.println("      " + l));
                }
            }
        }
        return failed ? 1 : 0;
    }
}
