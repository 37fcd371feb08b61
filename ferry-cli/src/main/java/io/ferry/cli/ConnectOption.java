package io.ferry.cli;

import picocli.CommandLine.Option;

import java.net.URI;

/** The --connect option shared by the commands that talk to a Connect cluster. */
final class ConnectOption {
    @Option(names = "--connect", defaultValue = "${env:FERRY_CONNECT_URL:-http://localhost:8083}",
            description = "Kafka Connect REST URL (default ${DEFAULT-VALUE}; env FERRY_CONNECT_URL).")
    URI url;

    ConnectClient client() {
        return new ConnectClient(url);
    }
}
