package dev.ferry.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/** Parses XML bodies in tests (namespace-aware, no DTDs) and walks their elements. */
public final class Xml {
    private Xml() {}

    /** The root element of {@code xml}; fails the test when it is not well-formed. */
    public static Element parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        assertThat(xml).startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        return f.newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))
                .getDocumentElement();
    }

    /** The child elements of {@code parent}. */
    public static List<Element> children(Element parent) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                out.add(e);
            }
        }
        return out;
    }

    /** The one child element of {@code parent} named {@code name} in {@code namespace}. */
    public static Element only(Element parent, String namespace, String name) {
        List<Element> found = children(parent).stream()
                .filter(e -> namespace.equals(e.getNamespaceURI()) && name.equals(e.getLocalName()))
                .toList();
        assertThat(found).as("<%s> in <%s>", name, parent.getLocalName()).hasSize(1);
        return found.get(0);
    }
}
