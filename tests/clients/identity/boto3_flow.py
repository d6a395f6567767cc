"""boto3 against Gatehouse: admin user set-up, ADMIN_USER_PASSWORD_AUTH, and modeled exceptions.

Usage: python3 identity/boto3_flow.py <endpoint> <poolId> <clientId>
Prints one JSON object with what boto3 saw.
"""
import json
import sys

import boto3

endpoint, pool, client_id = sys.argv[1:4]
cognito = boto3.client("cognito-idp", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="x", aws_secret_access_key="y")
cognito.admin_create_user(UserPoolId=pool, Username="boto@example.com", MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email_verified", "Value": "true"}])
cognito.admin_set_user_password(UserPoolId=pool, Username="boto@example.com", Password="Boto-Passw0rd!", Permanent=True)
result = cognito.admin_initiate_auth(UserPoolId=pool, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": "boto@example.com", "PASSWORD": "Boto-Passw0rd!"})
seen = {"tokenType": result["AuthenticationResult"]["TokenType"]}
try:
    cognito.admin_initiate_auth(UserPoolId=pool, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": "boto@example.com", "PASSWORD": "wrong"})
except cognito.exceptions.NotAuthorizedException as error:
    seen["wrongPassword"] = error.response["Error"]["Message"]
try:
    cognito.admin_get_user(UserPoolId=pool, Username="ghost@example.com")
except cognito.exceptions.UserNotFoundException as error:
    seen["unknownUser"] = error.response["Error"]["Message"]
try:
    cognito.describe_user_pool(UserPoolId="us-east-1_Missing00")
except cognito.exceptions.ResourceNotFoundException as error:
    seen["unknownPool"] = error.response["Error"]["Message"]
users = cognito.get_paginator("list_users").paginate(UserPoolId=pool, PaginationConfig={"PageSize": 1})
seen["listed"] = sorted(u["Username"] for page in users for u in page["Users"])
print(json.dumps(seen))
