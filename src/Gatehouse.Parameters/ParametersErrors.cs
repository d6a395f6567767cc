using Gatehouse.Core;
using E = Gatehouse.Protocol.Generated.Ssm.Errors;

namespace Gatehouse.Parameters;

/// <summary>
/// The one catalog of Parameter Store errors: AWS exception name and message. Call sites never invent
/// strings; wording follows what AWS (as measured by moto) answers, or the AWS documentation cited.
/// </summary>
internal static class ParametersErrors
{
    public static AwsException ParameterNotFound(string name) =>
        new(E.ParameterNotFound, $"Parameter {name} not found.");

    public static AwsException ParameterAlreadyExists() =>
        new(E.ParameterAlreadyExists, "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");

    public static AwsException VersionNotFound(string name, long version) =>
        new(E.ParameterVersionNotFound, $"Systems Manager could not find version {version} of {name}. Verify the version and try again.");

    public static AwsException Validation(string message) => new(E.ValidationException, message);

    /// <summary>https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html (parameter name requirements).</summary>
    public static AwsException InvalidName() =>
        Validation("Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_");

    public static AwsException NotFullyQualified() =>
        Validation("Parameter name must be a fully qualified name: a name in a hierarchy begins with a forward slash (/).");

    public static AwsException NameTooLong() =>
        Validation("Parameter name: the maximum length of a parameter name, including the full length of the parameter ARN, is 1011 characters.");

    public static AwsException ReservedName(string name) =>
        new(E.AccessDeniedException, $"No access to reserved parameter name: {name}.");

    public static AwsException HierarchyTooDeep() =>
        new(E.HierarchyLevelLimitExceededException, "A hierarchy can have a maximum of 15 levels. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-hierarchies.html");

    public static AwsException TypeRequired() => Validation("A parameter type is required when you create a parameter.");

    public static AwsException EmptyValue() =>
        Validation("1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1.");

    /// <summary>https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html (4 KB standard, 8 KB advanced).</summary>
    public static AwsException StandardValueTooLarge() =>
        Validation("Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html");

    public static AwsException AdvancedValueTooLarge() =>
        Validation("1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length less than or equal to 8192.");

    public static AwsException TierDowngrade() =>
        Validation("This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.");

    public static AwsException UnsupportedDataType(string dataType) =>
        Validation($"The following data type is not supported: {dataType} (Data type names are all lowercase.)");

    public static AwsException KeyIdForSecureStringOnly() =>
        Validation("KeyId is required for SecureString type parameter only.");

    public static AwsException TagsWithOverwrite() =>
        Validation("Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.");

    public static AwsException InvalidAllowedPattern(string pattern) =>
        new(E.InvalidAllowedPatternException, $"The allowed pattern {pattern} is not a valid regular expression.");

    public static AwsException PatternMismatch(string pattern) =>
        new(E.ParameterPatternMismatchException, $"Parameter value, cannot be validated against allowedPattern: {pattern}");

    /// <summary>https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-versions.html (100 versions).</summary>
    public static AwsException MaxVersions(string name, long oldest) =>
        new(E.ParameterMaxVersionLimitExceeded, $"You attempted to create a new version of {name} by calling the PutParameter API with the overwrite flag. Version {oldest}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.");

    public static AwsException TooManyLabels() =>
        new(E.ParameterVersionLabelLimitExceeded, "A parameter version can have maximum 10 labels. Move one or more labels to another version and try again.");

    public static AwsException VersionRequired() =>
        Validation("1 validation error detected: Value 'null' at 'parameterVersion' failed to satisfy constraint: Member must not be null");

    public static AwsException InvalidNextToken() => new(E.InvalidNextToken, "The nextToken is not valid.");

    public static AwsException InvalidFilterKey(string key, string valid) =>
        new(E.InvalidFilterKey, $"The following filter key is not valid: {key}. Valid filter keys include: [{valid}].");

    public static AwsException DuplicateFilter(string key) =>
        new(E.InvalidFilterKey, $"The following filter is duplicated in the request: {key}. A request can contain only one occurrence of a specific filter.");

    public static AwsException InvalidFilterOption(string option, string valid) =>
        new(E.InvalidFilterOption, $"The following filter option is not valid: {option}. Valid options include: [{valid}].");

    public static AwsException InvalidFilterValue(string value, string valid) =>
        new(E.InvalidFilterValue, $"The following filter value is not valid: {value}. Valid values include: [{valid}].");

    public static AwsException MissingFilterValues(string key) =>
        new(E.InvalidFilterValue, $"The following filter values are missing : null for filter key {key}.");

    public static AwsException FiltersAndParameterFilters() =>
        Validation("You can use either Filters or ParameterFilters in a single request.");

    public static AwsException InvalidPath() =>
        Validation("The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash \"/\". It can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol \"/\". Valid example: /get/parameters2-/by1./path0_.");

    public static AwsException InvalidResourceId() => new(E.InvalidResourceId, "Invalid Resource Id");

    public static AwsException InvalidResourceType(string resourceType) =>
        new(E.InvalidResourceType, $"Invalid Resource Type: Gatehouse keeps tags of Parameter resources only, not {resourceType}.");

    /// <summary>https://docs.aws.amazon.com/systems-manager/latest/userguide/tagging-parameters.html (50 tags per resource).</summary>
    public static AwsException TooManyTags() => new(E.TooManyTagsError, "The Targets parameter includes too many tags. Remove one or more tags and try the command again.");
}
