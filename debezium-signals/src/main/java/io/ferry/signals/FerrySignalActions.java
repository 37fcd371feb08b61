package io.ferry.signals;

import io.debezium.config.CommonConnectorConfig;
import io.debezium.pipeline.ChangeEventSourceCoordinator;
import io.debezium.pipeline.EventDispatcher;
import io.debezium.pipeline.signal.actions.SignalAction;
import io.debezium.pipeline.signal.actions.SignalActionProvider;
import io.debezium.pipeline.signal.actions.snapshotting.ExecuteSnapshot;
import io.debezium.pipeline.spi.Partition;
import io.debezium.spi.schema.DataCollectionId;

import java.util.Map;

/**
 * Ferry's signal actions, found by Debezium's ServiceLoader in the connector's plugin directory. Debezium refuses two
 * actions of one name, so Ferry's has its own: {@value BinlogThreadIncrementalSnapshot#NAME}.
 */
public final class FerrySignalActions implements SignalActionProvider {

    @Override
    public <P extends Partition> Map<String, SignalAction<P>> createActions(EventDispatcher<P, ? extends DataCollectionId> dispatcher,
                                                                            ChangeEventSourceCoordinator<P, ?> coordinator,
                                                                            CommonConnectorConfig connectorConfig) {
        return Map.of(BinlogThreadIncrementalSnapshot.NAME,
                new BinlogThreadIncrementalSnapshot<>(dispatcher, new ExecuteSnapshot<>(dispatcher, coordinator)));
    }
}
