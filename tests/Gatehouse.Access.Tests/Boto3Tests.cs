namespace Gatehouse.Access.Tests;

/// <summary>The same IAM and STS surface driven by boto3, whose query serializer and XML parser are botocore's.</summary>
public sealed class Boto3Tests : IClassFixture<AccountServer>
{
    private readonly AccountServer _server;

    public Boto3Tests(AccountServer server) => _server = server;

    [Fact]
    public async Task RolesPoliciesAndCredentials_AsBoto3SeesThem()
    {
        var result = await Clients.PythonAsync(_server.Endpoint, Clients.AnyKey, """
            iam = boto3.client('iam', endpoint_url=endpoint)
            sts = boto3.client('sts', endpoint_url=endpoint)
            trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
            role = iam.create_role(RoleName='boto-app', AssumeRolePolicyDocument=json.dumps(trust), MaxSessionDuration=7200,
                                   Tags=[{'Key': 'a', 'Value': '1'}, {'Key': 'b', 'Value': '2'}])['Role']
            got = iam.get_role(RoleName='boto-app')['Role']
            assert got['AssumeRolePolicyDocument'] == trust, got
            assert got['MaxSessionDuration'] == 7200
            assert got['CreateDate'].tzinfo is not None
            iam.untag_role(RoleName='boto-app', TagKeys=['a'])
            assert iam.list_role_tags(RoleName='boto-app')['Tags'] == [{'Key': 'b', 'Value': '2'}]
            doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}]}
            iam.put_role_policy(RoleName='boto-app', PolicyName='logs', PolicyDocument=json.dumps(doc))
            assert iam.get_role_policy(RoleName='boto-app', PolicyName='logs')['PolicyDocument'] == doc
            iam.attach_role_policy(RoleName='boto-app', PolicyArn='arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole')
            names = [p['PolicyName'] for p in iam.list_attached_role_policies(RoleName='boto-app')['AttachedPolicies']]
            assert names == ['AWSLambdaVPCAccessExecutionRole'], names
            try:
                iam.delete_role(RoleName='boto-app')
                raise SystemExit('deleted with policies attached')
            except iam.exceptions.DeleteConflictException as e:
                assert e.response['ResponseMetadata']['HTTPStatusCode'] == 409
            try:
                iam.get_role(RoleName='nobody')
                raise SystemExit('found nobody')
            except iam.exceptions.NoSuchEntityException as e:
                assert e.response['Error']['Code'] == 'NoSuchEntity'
                assert e.response['Error']['Type'] == 'Sender'
            pages = list(iam.get_paginator('list_roles').paginate(PaginationConfig={'PageSize': 1}))
            assert any(r['RoleName'] == 'boto-app' for p in pages for r in p['Roles'])
            creds = sts.assume_role(RoleArn=role['Arn'], RoleSessionName='boto', DurationSeconds=7200)['Credentials']
            assert creds['AccessKeyId'].startswith('ASIA')
            try:
                sts.assume_role(RoleArn=role['Arn'], RoleSessionName='boto', DurationSeconds=7201)
                raise SystemExit('longer than the role allows')
            except botocore.exceptions.ClientError as e:
                assert e.response['Error']['Code'] == 'ValidationError', e.response
            temporary = boto3.client('sts', endpoint_url=endpoint, aws_access_key_id=creds['AccessKeyId'],
                                     aws_secret_access_key=creds['SecretAccessKey'], aws_session_token=creds['SessionToken'])
            print(temporary.get_caller_identity()['Arn'])
            """);

        Assert.Equal("arn:aws:sts::123456789012:assumed-role/boto-app/boto", result.EnsureSuccess().StandardOutput.Trim());
    }

    [Fact]
    public async Task PolicyEntitiesTagsAndBoundary_AsTerraformReadsThem()
    {
        var result = await Clients.PythonAsync(_server.Endpoint, Clients.AnyKey, """
            iam = boto3.client('iam', endpoint_url=endpoint)
            doc = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]})
            arn = iam.create_policy(PolicyName='boto-entities', PolicyDocument=doc, Tags=[{'Key': 'k', 'Value': 'v'}])['Policy']['Arn']
            iam.create_role(RoleName='boto-entities-role', AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[]}')
            iam.attach_role_policy(RoleName='boto-entities-role', PolicyArn=arn)
            entities = iam.list_entities_for_policy(PolicyArn=arn)
            assert [r['RoleName'] for r in entities['PolicyRoles']] == ['boto-entities-role'], entities
            assert entities['PolicyUsers'] == [] and entities['PolicyGroups'] == []
            assert iam.get_policy(PolicyArn=arn)['Policy']['AttachmentCount'] == 1
            iam.tag_policy(PolicyArn=arn, Tags=[{'Key': 'k2', 'Value': 'v2'}])
            iam.untag_policy(PolicyArn=arn, TagKeys=['k'])
            assert iam.list_policy_tags(PolicyArn=arn)['Tags'] == [{'Key': 'k2', 'Value': 'v2'}]
            iam.put_role_permissions_boundary(RoleName='boto-entities-role', PermissionsBoundary=arn)
            assert iam.get_role(RoleName='boto-entities-role')['Role']['PermissionsBoundary']['PermissionsBoundaryArn'] == arn
            iam.delete_role_permissions_boundary(RoleName='boto-entities-role')
            assert 'PermissionsBoundary' not in iam.get_role(RoleName='boto-entities-role')['Role']
            iam.create_instance_profile(InstanceProfileName='boto-profile')
            iam.tag_instance_profile(InstanceProfileName='boto-profile', Tags=[{'Key': 'p', 'Value': '1'}])
            assert iam.list_instance_profile_tags(InstanceProfileName='boto-profile')['Tags'] == [{'Key': 'p', 'Value': '1'}]
            try:
                iam.delete_policy(PolicyArn=arn)
                raise SystemExit('deleted while attached')
            except iam.exceptions.DeleteConflictException:
                pass
            iam.detach_role_policy(RoleName='boto-entities-role', PolicyArn=arn)
            iam.delete_policy(PolicyArn=arn)
            try:
                iam.tag_policy(PolicyArn='arn:aws:iam::aws:policy/AdministratorAccess', Tags=[{'Key': 'x', 'Value': 'y'}])
                raise SystemExit('tagged an AWS managed policy')
            except botocore.exceptions.ClientError as e:
                assert e.response['Error']['Code'] == 'UnmodifiableEntity', e.response
            print('ok')
            """);

        Assert.Equal("ok", result.EnsureSuccess().StandardOutput.Trim());
    }
}
