package io.ferry.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = "Validate, then create or update connectors on a Connect cluster (PUT /connectors/NAME/config). "
                + "Nothing is deployed unless every file is valid.")
final class DeployCommand implements Callable<Integer> {

    @Mixin
    ConnectOption connect;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Connector JSON files, e.g. connectors/*.json.")
    List<Path> files;

    @Override
    public Integer call() throws Exception {
        ConnectClient client = connect.client();
        ConnectorValidator validator = new ConnectorValidator(client);
        List<ConnectorFile> connectors = new java.util.ArrayList<>();
        boolean ok = true;
        for (Path f : files) {
            ConnectorFile c = ConnectorFile.read(f);
            List<String> problems = validator.validate(c);
            if (!problems.isEmpty()) {
                ok = false;
                System.out.println("INVALID " + f);
                problems.forEach(p -> System.out.println("  " + p));
            }
            connectors.add(c);
        }
        if (!ok) {
            System.out.println("Nothing deployed.");
            return 1;
        }
        for (ConnectorFile c : connectors) {
            client.put(c.name(), c.config());
            System.out.println("deployed " + c.name() + " to " + client.base());
        }
        return 0;
    }
}
