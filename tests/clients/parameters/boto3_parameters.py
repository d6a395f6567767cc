"""boto3 against Gatehouse's Parameter Store: put/get, SecureString, labels, paging, modeled exceptions.

Usage: python3 parameters/boto3_parameters.py <endpoint> <prefix>
Prints one JSON object with what boto3 saw.
"""
import json
import sys

import boto3

endpoint, prefix = sys.argv[1:3]
ssm = boto3.client("ssm", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="x", aws_secret_access_key="y")
seen = {}
for i in range(23):
    ssm.put_parameter(Name=f"{prefix}/many/p{i:02d}", Value=f"v{i}", Type="String")
ssm.put_parameter(Name=f"{prefix}/many/deeper/q", Value="deep", Type="StringList")
paginator = ssm.get_paginator("get_parameters_by_path")
one_level = [p["Name"] for page in paginator.paginate(Path=f"{prefix}/many", PaginationConfig={"PageSize": 10}) for p in page["Parameters"]]
seen["oneLevel"] = len(one_level)
seen["oneLevelSorted"] = one_level == sorted(one_level)
recursive = [p["Name"] for page in paginator.paginate(Path=f"{prefix}/many", Recursive=True) for p in page["Parameters"]]
seen["recursive"] = len(recursive)
pages = list(paginator.paginate(Path=f"{prefix}/many", Recursive=True, PaginationConfig={"PageSize": 10}))
seen["pages"] = len(pages)

ssm.put_parameter(Name=f"{prefix}/secret", Value="hunter2", Type="SecureString", KeyId="alias/custom", Description="pw")
plain = ssm.get_parameter(Name=f"{prefix}/secret")["Parameter"]
seen["cipherDiffers"] = plain["Value"] != "hunter2"
seen["decrypted"] = ssm.get_parameter(Name=f"{prefix}/secret", WithDecryption=True)["Parameter"]["Value"]
described = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [f"{prefix}/secret"]}])["Parameters"]
seen["describedKeyId"] = described[0]["KeyId"]
seen["describedDescription"] = described[0]["Description"]
seen["byType"] = len(ssm.describe_parameters(ParameterFilters=[{"Key": "Type", "Values": ["SecureString"]},
                                                                {"Key": "Path", "Option": "Recursive", "Values": [prefix]}])["Parameters"])

ssm.put_parameter(Name=f"{prefix}/secret", Value="hunter3", Overwrite=True)
ssm.label_parameter_version(Name=f"{prefix}/secret", ParameterVersion=1, Labels=["old"])
seen["byLabel"] = ssm.get_parameter(Name=f"{prefix}/secret:old", WithDecryption=True)["Parameter"]["Value"]
seen["byVersion"] = ssm.get_parameter(Name=f"{prefix}/secret:2", WithDecryption=True)["Parameter"]["Value"]
both = ssm.get_parameters(Names=[f"{prefix}/secret", f"{prefix}/missing"], WithDecryption=True)
seen["getParameters"] = [p["Value"] for p in both["Parameters"]]
seen["invalid"] = both["InvalidParameters"]

try:
    ssm.get_parameter(Name=f"{prefix}/missing")
except ssm.exceptions.ParameterNotFound as error:
    seen["notFound"] = error.response["Error"]["Code"]
try:
    ssm.put_parameter(Name=f"{prefix}/secret", Value="again", Type="SecureString")
except ssm.exceptions.ParameterAlreadyExists as error:
    seen["exists"] = error.response["Error"]["Code"]
try:
    ssm.get_parameter(Name=f"{prefix}/secret:9")
except ssm.exceptions.ParameterVersionNotFound as error:
    seen["versionNotFound"] = error.response["Error"]["Code"]
try:
    ssm.put_parameter(Name="/" + "/".join(f"l{i}" for i in range(16)), Value="x", Type="String")
except ssm.exceptions.HierarchyLevelLimitExceededException as error:
    seen["tooDeep"] = error.response["Error"]["Code"]
deleted = ssm.delete_parameters(Names=[f"{prefix}/secret", f"{prefix}/missing"])
seen["deleted"] = deleted["DeletedParameters"]
seen["notDeleted"] = deleted["InvalidParameters"]

# 100 versions are kept: the 101st put drops version 1; a label on the oldest version blocks the next put.
name = f"{prefix}/versions"
ssm.put_parameter(Name=name, Value="1", Type="String")
for i in range(2, 102):
    ssm.put_parameter(Name=name, Value=str(i), Overwrite=True)
history = [h["Version"] for page in ssm.get_paginator("get_parameter_history").paginate(Name=name, PaginationConfig={"PageSize": 30}) for h in page["Parameters"]]
seen["historyCount"] = len(history)
seen["historyFirst"] = history[0]
seen["historyLast"] = history[-1]
ssm.label_parameter_version(Name=name, ParameterVersion=2, Labels=["pinned"])
try:
    ssm.put_parameter(Name=name, Value="102", Overwrite=True)
except ssm.exceptions.ParameterMaxVersionLimitExceeded as error:
    seen["maxVersions"] = error.response["Error"]["Code"]
print(json.dumps(seen))
