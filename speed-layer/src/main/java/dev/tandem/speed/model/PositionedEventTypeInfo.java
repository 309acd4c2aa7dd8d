package dev.tandem.speed.model;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.lang.reflect.Type;
import java.util.Map;

/** Flink's type information for {@link PositionedEvent}: its {@link PositionedEventSerializer}. */
public final class PositionedEventTypeInfo extends TypeInformation<PositionedEvent> {

    private static final long serialVersionUID = 1L;
    public static final PositionedEventTypeInfo INSTANCE = new PositionedEventTypeInfo();

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<PositionedEvent> getTypeClass() {
        return PositionedEvent.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<PositionedEvent> createSerializer(SerializerConfig config) {
        return PositionedEventSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "PositionedEvent";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PositionedEventTypeInfo;
    }

    @Override
    public int hashCode() {
        return PositionedEventTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof PositionedEventTypeInfo;
    }

    /** Lets {@code TypeInformation.of(PositionedEvent.class)} find this (the class is annotated). */
    public static final class Factory extends TypeInfoFactory<PositionedEvent> {
        @Override
        public TypeInformation<PositionedEvent> createTypeInfo(Type t, Map<String, TypeInformation<?>> params) {
            return INSTANCE;
        }
    }
}
