using Gatehouse.Core;
using E = Gatehouse.Protocol.Generated.CognitoIdentityProvider.Errors;

namespace Gatehouse.Identity;

/// <summary>
/// Every error the user pools service answers with, in one place: the exception name from the model
/// and the message Cognito uses. Call sites never compose error strings themselves.
/// </summary>
internal static class IdentityErrors
{
    public static AwsException PoolNotFound(string poolId) => new(E.ResourceNotFoundException, $"User pool {poolId} does not exist.");
    public static AwsException ClientNotFound(string clientId) => new(E.ResourceNotFoundException, $"User pool client {clientId} does not exist.");
    public static AwsException GroupNotFound() => new(E.ResourceNotFoundException, "Group not found.");
    public static AwsException UserNotFound() => new(E.UserNotFoundException, "User does not exist.");
    public static AwsException UsernameClientNotFound() => new(E.UserNotFoundException, "Username/client id combination not found.");
    public static AwsException UserAccountExists() => new(E.UsernameExistsException, "User account already exists");
    public static AwsException UserExists() => new(E.UsernameExistsException, "User already exists");
    public static AwsException EmailExists() => new(E.UsernameExistsException, "An account with the given email already exists.");
    public static AwsException PhoneExists() => new(E.UsernameExistsException, "An account with the given phone_number already exists.");
    public static AwsException AliasExists(string attribute) => new(E.AliasExistsException, $"An account with the given {attribute} already exists.");
    public static AwsException GroupExists() => new(E.GroupExistsException, "A group with the name already exists.");

    public static AwsException IncorrectCredentials() => new(E.NotAuthorizedException, "Incorrect username or password.");
    public static AwsException UserDisabled() => new(E.NotAuthorizedException, "User is disabled.");
    public static AwsException UserNotConfirmed() => new(E.UserNotConfirmedException, "User is not confirmed.");
    public static AwsException ResetRequired() => new(E.PasswordResetRequiredException, "Password reset required for the user");
    public static AwsException TemporaryPasswordExpired() => new(E.NotAuthorizedException, "Temporary password has expired and must be reset by an administrator.");
    public static AwsException PasswordAttemptsExceeded() => new(E.NotAuthorizedException, "Password attempts exceeded");
    public static AwsException InvalidSession() => new(E.NotAuthorizedException, "Invalid session for the user, session is expired.");
    public static AwsException CannotResetPassword() => new(E.NotAuthorizedException, "User password cannot be reset in the current state.");
    public static AwsException CannotConfirm(string status) => new(E.NotAuthorizedException, $"User cannot be confirmed. Current status is {status}");

    public static AwsException UserPasswordAuthNotEnabled() => new(E.InvalidParameterException, "USER_PASSWORD_AUTH flow not enabled for this client");
    public static AwsException AuthFlowNotEnabled() => new(E.InvalidParameterException, "Auth flow not enabled for this client");
    public static AwsException SrpNotEnabled() => new(E.InvalidParameterException, "USER_SRP_AUTH is not enabled for the client.");
    public static AwsException RefreshNotEnabled() => new(E.InvalidParameterException, "Refresh Token flow not enabled for this client");
    public static AwsException UnsupportedFlow(string flow) => new(E.InvalidParameterException, $"Initiate Auth method not supported: {flow}");
    public static AwsException UnsupportedChallenge(string challenge) => new(E.InvalidParameterException, $"Challenge {challenge} is not supported.");
    public static AwsException MissingParameter(string name) => new(E.InvalidParameterException, $"Missing required parameter {name}");
    public static AwsException InvalidPassword(string message) => new(E.InvalidPasswordException, message);
    public static AwsException UsernameAndAliasAttributes() => new(E.InvalidParameterException, "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.");
    public static AwsException CustomAttributeExists(string name) => new(E.InvalidParameterException, $"Existing attribute already has name custom:{name}.");
    public static AwsException RequiredCustomAttribute() => new(E.InvalidParameterException, "Required custom attributes are not supported currently.");
    public static AwsException MixedAuthFlows() => new(E.InvalidParameterException, "ExplicitAuthFlow ALLOW_* values and legacy values cannot be mixed.");
    public static AwsException AuthSessionValidityRange() => new(E.InvalidParameterException, "AuthSessionValidity must be between 3 and 15 minutes.");
    public static AwsException TokenValidityRange(string token, string min, string max) => new(E.InvalidParameterException, $"{token} validity must be between {min} and {max}.");
    public static AwsException InvalidReadAttribute(string name) => new(E.InvalidParameterException, $"Invalid read attributes specified while creating a client: {name}");
    public static AwsException DuplicateScopes() => new(E.InvalidParameterException, "Duplicate scopes are not allowed.");
    public static AwsException SrpANotHex() => new(E.InvalidParameterException, "SRP_A is not a hexadecimal number.");
    public static AwsException SrpAZero() => new(E.InvalidParameterException, "SRP_A cannot be zero mod N.");
    public static AwsException UsernameAttributeNotDeletable(string name) => new(E.InvalidParameterException, $"Cannot delete the attribute {name} because it is used as the username.");

    public static AwsException SecretMissing(string clientId) => new(E.NotAuthorizedException, $"Client {clientId} is configured for secret but secret was not received");
    public static AwsException SecretHashMismatch(string clientId) => new(E.NotAuthorizedException, $"Unable to verify secret hash for client {clientId}");

    public static AwsException InvalidAccessToken() => new(E.NotAuthorizedException, "Invalid Access Token");
    public static AwsException AccessTokenExpired() => new(E.NotAuthorizedException, "Access Token has expired");
    public static AwsException AccessTokenRevoked() => new(E.NotAuthorizedException, "Access Token has been revoked");
    public static AwsException InvalidRefreshToken() => new(E.NotAuthorizedException, "Invalid Refresh Token");
    public static AwsException RefreshTokenExpired() => new(E.NotAuthorizedException, "Refresh Token has expired");
    public static AwsException RefreshTokenRevoked() => new(E.NotAuthorizedException, "Refresh Token has been revoked");

    public static AwsException CodeMismatch() => new(E.CodeMismatchException, "Invalid verification code provided, please try again.");
    public static AwsException CodeExpired() => new(E.ExpiredCodeException, "Invalid code provided, please request a code again.");
    public static AwsException AttemptLimitExceeded() => new(E.LimitExceededException, "Attempt limit exceeded, please try after some time.");
    public static AwsException TooManyFailedAttempts() => new(E.TooManyFailedAttemptsException, "Too many failed attempts.");

    public static AwsException TooManyRequests() => new(E.TooManyRequestsException, "Too many requests are being processed; retry after a moment.");
    public static AwsException DeletionProtected() => new(E.InvalidParameterException, "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.");
    public static AwsException RevocationDisabled() => new(E.UnsupportedOperationException, "Token revocation is not enabled for this app client.");
    public static AwsException UnsupportedTokenType() => new(E.UnsupportedTokenTypeException, "The token provided is not a refresh token.");
    public static AwsException InvalidClientCredentials() => new(E.UnauthorizedException, "Invalid client credentials.");
    public static AwsException UnauthorizedAttribute(string name) => new(E.NotAuthorizedException, $"A client attempted to write unauthorized attribute: {name}");
    public static AwsException BadPaginationToken() => new(E.InvalidParameterException, "The pagination token is invalid.");

    public static AwsException ResendNotPossible(string username) => new(E.UnsupportedUserStateException, $"Resend not possible. {username} status is not FORCE_CHANGE_PASSWORD");
    public static AwsException InvalidEmail() => new(E.InvalidParameterException, "Invalid email address format.");
    public static AwsException InvalidPhone() => new(E.InvalidParameterException, "Invalid phone number format.");
    public static AwsException UsernameMustBeEmail() => new(E.InvalidParameterException, "Username should be an email.");
    public static AwsException UsernameMustBeEmailOrPhone() => new(E.InvalidParameterException, "Username should be either an email or a phone number.");
    public static AwsException UsernameMustBePhone() => new(E.InvalidParameterException, "Username should be a phone number.");
    public static AwsException UsernameIsEmailFormat() => new(E.InvalidParameterException, "Username cannot be of email format, since user pool is configured for email alias.");
    public static AwsException BadFilter() => new(E.InvalidParameterException, "Error while parsing filter.");
    public static AwsException UnsearchableAttribute(string name) => new(E.InvalidParameterException, $"Invalid search attribute: {name}");
    public static AwsException UserInGroupNotFound() => new(E.UserNotFoundException, "User does not exist.");
    public static AwsException NoVerifiedContact() => new(E.InvalidParameterException, "Cannot reset password for the user as there is no registered/verified email or phone_number");

    public static AwsException SignUpNotPermitted() => new(E.NotAuthorizedException, "SignUp is not permitted for this user pool");
    public static AwsException AlreadyConfirmed() => new(E.InvalidParameterException, "User is already confirmed.");
    public static AwsException MissingScope() => new(E.NotAuthorizedException, "Access Token does not have required scopes");

    public static AwsException CustomDomainUnsupported() => new(E.InvalidParameterException, "Gatehouse supports prefix domains only; custom domains are not supported.");
    public static AwsException PoolHasDomain() => new(E.InvalidParameterException, "User pool already has a domain configured.");
    public static AwsException DomainTaken() => new(E.InvalidParameterException, "Domain already associated with another user pool.");
    public static AwsException NoSuchDomain() => new(E.InvalidParameterException, "No such domain or user pool exists.");
    public static AwsException ResourceServerNotFound(string identifier, string poolId) => new(E.ResourceNotFoundException, $"Resource server {identifier} does not exist in user pool {poolId}.");
    public static AwsException ResourceServerExists(string identifier, string poolId) => new(E.InvalidParameterException, $"{identifier} already exists in user pool {poolId}.");

    public static AwsException UnknownAttribute(string name) => SchemaViolation(name, "Attribute does not exist in the schema.");
    public static AwsException ImmutableAttribute(string name) => SchemaViolation(name, "Attribute cannot be updated. (changing an immutable attribute)");
    public static AwsException AttributeTooLong(string name, int max) => SchemaViolation(name, $"String must be no longer than {max} characters");
    public static AwsException AttributeTooShort(string name, int min) => SchemaViolation(name, $"String must be no shorter than {min} characters");
    public static AwsException AttributeNotBoolean(string name) => SchemaViolation(name, "Attribute value for Boolean must be true or false.");
    public static AwsException AttributeNotNumber(string name) => SchemaViolation(name, "Number must be a valid number.");
    public static AwsException RequiredAttribute(string name) => SchemaViolation(name, "The attribute is required");

    private static AwsException SchemaViolation(string attribute, string reason) =>
        new(E.InvalidParameterException, $"Attributes did not conform to the schema: {attribute}: {reason}");
}
