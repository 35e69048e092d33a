#!/bin/sh
# Lucene 8 CJK BM25 on the corpus and questions policybot bench uses, for comparison: indexing in one
# JVM, serving in another, as policybot bench measures itself. Needs Debian's liblucene8-java and a
# JDK (apt-get install liblucene8-java default-jdk-headless). Run from the repository root:
#
#   benchmarks/lucene/run.sh [CORPUS [QUESTIONS [ROUNDS]]]
set -e
corpus=${1:-../shared/bench/lawref}
questions=${2:-../shared/eval/msga_dev.jsonl}
rounds=${3:-3}
here=$(dirname "$0")
cp=$(ls /usr/share/java/lucene-core-8*.jar /usr/share/java/lucene-analyzers-common-8*.jar /usr/share/java/lucene-queryparser-8*.jar | tr '\n' ':')
classes=$(mktemp -d)
index=$(mktemp -d)
trap 'rm -rf "$classes" "$index"' EXIT
javac -nowarn -cp "$cp" -d "$classes" "$here/LuceneBench.java"
java -cp "$cp$classes" LuceneBench index "$corpus" "$index"
java -cp "$cp$classes" LuceneBench serve "$index" "$questions" "$rounds"
