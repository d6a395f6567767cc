#!/usr/bin/env python3
"""Writes the SAM transform's test fixtures from the AWS SAM translator itself.

For each fixtures/NAME.yaml this writes fixtures/NAME.template.json (the template with YAML short
forms written out, as Gatehouse's template reader produces it) and fixtures/NAME.expected.json (what
the translator makes of it). Needs the `aws-sam-translator` Python package (1.110.0 was used), which
is not installed on CI: the fixtures are committed and the tests never run this script.

    AWS_DEFAULT_REGION=us-east-1 python3 tests/Gatehouse.Stacks.Tests/Transforms/make-fixtures.py
"""
import glob
import json
import os

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

PARAMETERS = {"CodeBucket": "code-bucket", "CodeKey": "hello.zip"}


class ManagedPolicies:
    """The managed-policy lookup the translator asks IAM for; the ARNs AWS has for these names."""

    SERVICE_ROLE = {"AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole", "AWSLambdaRole"}

    def get(self, name):
        return "arn:aws:iam::aws:policy/" + ("service-role/" if name in self.SERVICE_ROLE else "") + name

    def load(self):
        pass


here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
for path in sorted(glob.glob(os.path.join(here, "*.yaml"))):
    name = os.path.splitext(path)[0]
    with open(path, encoding="utf-8") as f:
        template = yaml_parse(f.read())
    with open(name + ".template.json", "w", encoding="utf-8") as f:
        json.dump(template, f, indent=1)
        f.write("\n")
    translated = transform(json.loads(json.dumps(template)), PARAMETERS, ManagedPolicies())
    with open(name + ".expected.json", "w", encoding="utf-8") as f:
        json.dump(translated, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", os.path.basename(name))
