from tests.sat.test_manifest import team_fiel  # noqa: F401  # a test FIEL of the team's RFC, for every manifest test
