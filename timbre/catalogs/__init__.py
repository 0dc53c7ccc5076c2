"""SAT catalogs: lookups (``store``) and key search (``search``) over committed SAT data."""
