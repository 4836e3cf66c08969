//! Unit tests of `java.rs`.

use super::*;

fn find<'a>(decls: &'a [Declared], name: &str) -> &'a Declared {
    decls
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("{name} not in {decls:?}"))
}

const POM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <parent>
    <groupId>org.springframework.boot</groupId>
    <artifactId>spring-boot-starter-parent</artifactId>
    <version>3.2.0</version>
  </parent>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>com.fasterxml.jackson</groupId>
        <artifactId>jackson-bom</artifactId>
        <version>${jackson.version}</version>
        <type>pom</type>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <!-- <dependency><groupId>x</groupId><artifactId>commented</artifactId></dependency> -->
    <dependency>
      <groupId>org.apache.commons</groupId>
      <artifactId
        >commons-lang3</artifactId>
      <version>[3.0,)</version>
      <exclusions>
        <exclusion>
          <groupId>ignored</groupId>
          <artifactId>excluded</artifactId>
        </exclusion>
      </exclusions>
    </dependency>
    <dependency>
      <groupId>com.oracle</groupId>
      <artifactId>ojdbc</artifactId>
      <version>1.0</version>
      <scope>system</scope>
      <systemPath>${basedir}/lib/ojdbc.jar</systemPath>
    </dependency>
    <dependency>
      <groupId>${project.groupId}</groupId>
      <artifactId>sibling-module</artifactId>
      <version>${project.version}</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <artifactId>maven-surefire-plugin</artifactId>
        <version>3.2.2</version>
      </plugin>
    </plugins>
  </build>
  <repositories>
    <repository>
      <id>central</id>
      <url>https://repo.maven.apache.org/maven2</url>
    </repository>
    <repository id="x">
      <id>spring-milestones</id>
      <url>
        https://repo.spring.io/milestone?a=1&amp;b=2
      </url>
    </repository>
  </repositories>
  <distributionManagement>
    <repository>
      <url>https://nexus.example.com/releases</url>
    </repository>
  </distributionManagement>
</project>
"#;

#[test]
fn pom_dependencies_plugins_parent_and_repositories() {
    let decls = pom(POM).unwrap();
    assert_eq!(decls.len(), 6, "{decls:?}");
    let parent = find(
        &decls,
        "org.springframework.boot:spring-boot-starter-parent",
    );
    assert_eq!((parent.spec.as_str(), parent.line), ("3.2.0", 5));
    let bom = find(&decls, "com.fasterxml.jackson:jackson-bom");
    assert_eq!((bom.spec.as_str(), bom.line), ("${jackson.version}", 12));
    let lang = find(&decls, "org.apache.commons:commons-lang3");
    assert_eq!((lang.spec.as_str(), lang.line), ("[3.0,)", 22));
    let system = find(&decls, "com.oracle:ojdbc");
    assert_eq!(
        (system.source, system.spec.as_str()),
        (Source::Path, "${basedir}/lib/ojdbc.jar")
    );
    let plugin = find(&decls, "org.apache.maven.plugins:maven-surefire-plugin");
    assert_eq!(plugin.line, 48);
    let repo = decls.iter().find(|d| d.kind == DeclKind::Index).unwrap();
    assert_eq!(
        (repo.spec.as_str(), repo.line),
        ("https://repo.spring.io/milestone?a=1&b=2", 60)
    );
}

#[test]
fn pom_managed_version_wins_over_a_bare_reference() {
    let text = "<project><dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId></dependency></dependencies>\n<dependencyManagement><dependencies><dependency><groupId>g</groupId><artifactId>a</artifactId><version>1.0</version></dependency></dependencies></dependencyManagement></project>";
    let decls = pom(text).unwrap();
    assert_eq!(decls.len(), 1);
    assert_eq!((decls[0].spec.as_str(), decls[0].line), ("1.0", 2));
}

const GRADLE: &str = r#"// build script
plugins {
    id 'java'
    id 'org.springframework.boot' version '3.2.0'
    id("io.spring.dependency-management") version "1.1.4" apply false
    kotlin("jvm") version "1.9.22"
    alias(libs.plugins.detekt)
}

buildscript {
    dependencies { classpath "com.google.gms:google-services:4.4.0" }
}

repositories {
    mavenCentral()
    google()
    maven { url 'https://jitpack.io' }
    maven {
        url = uri("https://repo.example.com/releases") // internal
    }
    maven("https://oss.sonatype.org/content/repositories/snapshots")
    maven { url "https://repo.maven.apache.org/maven2" }
}

dependencies {
    implementation 'com.google.guava:guava:32.1.3-jre'
    implementation("org.slf4j:slf4j-api:2.0.9")
    api(platform("org.springframework.boot:spring-boot-dependencies:3.2.0"))
    compileOnly group: 'org.projectlombok', name: 'lombok', version: '1.18.30'
    runtimeOnly(group = "org.postgresql", name = "postgresql", version = "42.7.1")
    testImplementation(
        "org.junit.jupiter:junit-jupiter:5.10.1"
    )
    implementation("com.squareup.okhttp3:okhttp:4.12.0") {
        exclude(group = "org.jetbrains.kotlin", module = "kotlin-stdlib")
    }
    implementation project(':core')
    implementation(libs.jackson.databind)
    implementation files('libs/vendor.jar')
    "integrationTestImplementation"("io.rest-assured:rest-assured:5.4.0")
    /* implementation 'commented:out:1.0' */
    kapt "com.google.dagger:dagger-compiler:2.+"
}
"#;

#[test]
fn gradle_dependencies_plugins_and_repositories() {
    let decls = gradle(GRADLE).unwrap();
    let packages: Vec<(&str, &str, u32)> = decls
        .iter()
        .filter(|d| d.kind == DeclKind::Package)
        .map(|d| (d.name.as_str(), d.spec.as_str(), d.line))
        .collect();
    assert_eq!(
        packages,
        vec![
            ("org.springframework.boot", "3.2.0", 4),
            ("io.spring.dependency-management", "1.1.4", 5),
            ("org.jetbrains.kotlin.jvm", "1.9.22", 6),
            ("com.google.gms:google-services", "4.4.0", 11),
            ("com.google.guava:guava", "32.1.3-jre", 26),
            ("org.slf4j:slf4j-api", "2.0.9", 27),
            (
                "org.springframework.boot:spring-boot-dependencies",
                "3.2.0",
                28
            ),
            ("org.projectlombok:lombok", "1.18.30", 29),
            ("org.postgresql:postgresql", "42.7.1", 30),
            ("org.junit.jupiter:junit-jupiter", "5.10.1", 32),
            ("com.squareup.okhttp3:okhttp", "4.12.0", 34),
            ("files('libs/vendor.jar')", "libs/vendor.jar", 39),
            ("io.rest-assured:rest-assured", "5.4.0", 40),
            ("com.google.dagger:dagger-compiler", "2.+", 42),
        ]
    );
    assert_eq!(
        find(&decls, "files('libs/vendor.jar')").source,
        Source::Path
    );
    let indexes: Vec<(&str, u32)> = decls
        .iter()
        .filter(|d| d.kind == DeclKind::Index)
        .map(|d| (d.spec.as_str(), d.line))
        .collect();
    assert_eq!(
        indexes,
        vec![
            ("https://jitpack.io", 17),
            ("https://repo.example.com/releases", 19),
            (
                "https://oss.sonatype.org/content/repositories/snapshots",
                21
            ),
        ]
    );
}

#[test]
fn gradle_comments_and_strings() {
    let clean = blank_code_comments("a \"http://x\" // c\n/* b\n */ d");
    assert_eq!(clean, "a \"http://x\"     \n    \n    d");
}

/// Issue 11: a pom.xml that is not well-formed XML (Maven refuses it) is reported as broken, not read as
/// if it declared nothing.
#[test]
fn pom_that_is_not_well_formed_is_an_error() {
    for (text, want) in [
        (
            "<project>\n  <dependencies>\n",
            "the root node was opened but never closed",
        ),
        (
            "<project>\n  <dependency>\n</project>\n",
            "`<dependency>` is not closed before `</project>` at line 3",
        ),
        (
            "<project></dependencies></project>",
            "`<project>` is not closed before `</dependencies>`",
        ),
        ("<project><a x=\"1\"", "never closed"),
        ("<project><![CDATA[ x </project>", "expected ']]>' at 1:32"),
        ("not xml at all", "unknown token at 1:1"),
        ("", "no XML element found"),
    ] {
        let err = pom(text).unwrap_err();
        assert!(err.contains(want), "{text:?}: {err}");
    }
    assert!(pom(POM).is_ok());
    assert!(pom("<project/>").is_ok());
}

/// A DOCTYPE is refused (its entities could expand, billion-laughs style, or name external files), and so
/// is a reference to an entity no DTD declares: the POM is said to be unreadable, not read as empty.
#[test]
fn pom_with_a_doctype_or_an_undeclared_entity_is_refused() {
    let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE project [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>\n<project><dependencies><dependency><groupId>g</groupId><artifactId>&b;</artifactId></dependency></dependencies></project>";
    let err = pom(laughs).unwrap_err();
    assert!(err.contains("DOCTYPE is not read"), "{err}");
    let external = "<!DOCTYPE project SYSTEM \"file:///etc/passwd\">\n<project/>";
    assert!(pom(external).unwrap_err().contains("DOCTYPE"));
    let undeclared = "<project><dependencies><dependency><groupId>g</groupId><artifactId>&x;</artifactId></dependency></dependencies></project>";
    let err = pom(undeclared).unwrap_err();
    assert!(err.contains("unknown entity reference 'x'"), "{err}");
}

/// What the XML reader decodes is read as Maven reads it: prefixed element names, CDATA sections,
/// character references, and a `<version>` split by a comment.
#[test]
fn pom_cdata_references_prefixes_and_comments_inside_values() {
    let text = "<m:project xmlns:m=\"http://maven.apache.org/POM/4.0.0\">\n<m:dependencies>\n<m:dependency>\n<m:groupId><![CDATA[org.acme]]></m:groupId>\n<m:artifactId>t&#111;ol</m:artifactId>\n<m:version>1.<!-- c -->2</m:version>\n</m:dependency>\n</m:dependencies>\n</m:project>";
    let decls = pom(text).unwrap();
    assert_eq!(decls.len(), 1, "{decls:?}");
    assert_eq!(
        (
            decls[0].name.as_str(),
            decls[0].spec.as_str(),
            decls[0].line
        ),
        ("org.acme:tool", "1.2", 5)
    );
}

#[test]
fn deeply_nested_pom_is_refused_with_a_reason_and_stray_closing_tags_cost_nothing() {
    let depth = 100_000;
    let deep = format!(
        "<project>{}{}</project>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    );
    let error = pom(&deep).unwrap_err();
    assert!(error.contains("nested deeper than"), "{error}");
    // Closing tags that match no open element, many of them: the first makes the file not well-formed
    // (the reader stops there).
    let stray = format!(
        "<project><dependencies>{}<dependency><groupId>g</groupId><artifactId>a</artifactId>\
         <version>1</version></dependency></dependencies></project>",
        "</x>".repeat(200_000)
    );
    let error = pom(&stray).unwrap_err();
    assert!(
        error.contains("`<dependencies>` is not closed before `</x>` at line 1"),
        "{error}"
    );
}
