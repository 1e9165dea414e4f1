package dev.ferry.presence.internal;

import java.io.StringWriter;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * A small XML document written with the JDK's {@link XMLStreamWriter}, which escapes text and
 * attribute values; the bodies build on it. Values must hold only characters XML allows ({@link
 * EventFields} checks). Not thread-safe (one per body).
 */
final class XmlDocument {
    private static final XMLOutputFactory FACTORY = XMLOutputFactory.newFactory();

    private final StringWriter out = new StringWriter();
    private final XMLStreamWriter xml;

    /** A document whose root element is {@code root} in the default namespace {@code namespace}. */
    XmlDocument(String namespace, String root) {
        try {
            xml = FACTORY.createXMLStreamWriter(out);
            xml.writeStartDocument("UTF-8", "1.0");
            xml.setDefaultNamespace(namespace);
            xml.writeStartElement(namespace, root);
            xml.writeDefaultNamespace(namespace);
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot start an XML document", e);
        }
    }

    /** Declares {@code prefix} for {@code namespace} on the current element. */
    XmlDocument namespace(String prefix, String namespace) {
        return run(() -> {
            xml.setPrefix(prefix, namespace);
            xml.writeNamespace(prefix, namespace);
        });
    }

    /** An attribute of the current element. */
    XmlDocument attribute(String name, String value) {
        return run(() -> xml.writeAttribute(name, value));
    }

    /** An attribute of the current element, left out when {@code value} is empty. */
    XmlDocument optionalAttribute(String name, String value) {
        return value.isEmpty() ? this : attribute(name, value);
    }

    /** Opens a child element of {@code namespace}. */
    XmlDocument start(String namespace, String name) {
        return run(() -> xml.writeStartElement(namespace, name));
    }

    /** An empty child element of {@code namespace}; attributes may follow. */
    XmlDocument empty(String namespace, String name) {
        return run(() -> xml.writeEmptyElement(namespace, name));
    }

    /** A child element of {@code namespace} holding {@code text}. */
    XmlDocument element(String namespace, String name, String text) {
        return run(() -> {
            xml.writeStartElement(namespace, name);
            xml.writeCharacters(text);
            xml.writeEndElement();
        });
    }

    /** Text in the current element. */
    XmlDocument characters(String text) {
        return run(() -> xml.writeCharacters(text));
    }

    /** Closes the current element. */
    XmlDocument end() {
        return run(xml::writeEndElement);
    }

    /** The document, with every open element closed. */
    String finish() {
        run(xml::writeEndDocument);
        run(xml::close);
        return out.toString();
    }

    private interface XmlStep {
        void run() throws XMLStreamException;
    }

    private XmlDocument run(XmlStep step) {
        try {
            step.run();
            return this;
        } catch (XMLStreamException e) {
            // a StringWriter does not fail; this is a programming error in a body builder
            throw new IllegalStateException("cannot write XML: " + e.getMessage(), e);
        }
    }
}
