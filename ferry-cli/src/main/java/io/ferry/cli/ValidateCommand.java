package io.ferry.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Validate connector JSON files with a Connect cluster's config/validate; when Connect cannot "
                + "say why (HTTP 500 for Debezium's connection check), ask the source database directly.")
final class ValidateCommand implements Callable<Integer> {

    @Mixin
    ConnectOption connect;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Connector JSON ({\"name\":..., \"config\":{...}}).")
    List<Path> files;

    @Override
    public Integer call() throws Exception {
        ConnectorValidator validator = new ConnectorValidator(connect.client());
        int invalid = 0;
        for (Path f : files) {
            ConnectorFile c = ConnectorFile.read(f);
            List<String> problems = validator.validate(c);
            System.out.println((problems.isEmpty() ? "valid   " : "INVALID ") + f + " (" + c.name() + ")");
            problems.forEach(p -> System.out.println("  " + p));
            if (!problems.isEmpty()) {
                invalid++;
            }
        }
        return invalid == 0 ? 0 : 1;
    }
}
